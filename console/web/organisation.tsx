/**
 * Entry point of the organisation console page (organisation.html): the
 * shared shell around a data steward's views of their own agent.
 */
import './styles/base.css';
import './styles/frame.css';
import './styles/organisation.css';
import { render } from 'preact';
import { ConsoleShell } from './shared/console-shell';
import { OrganisationApp } from './organisation/organisation-app';

const root = document.getElementById('app');
if (root) render(<ConsoleShell kind="organisation">{(context) => <OrganisationApp context={context} />}</ConsoleShell>, root);
