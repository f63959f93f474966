/**
 * Entry point of the regulator console page (regulator.html): the shared
 * shell around the regulator's views. uPlot's stylesheet comes first so the
 * console's own rules can adjust it.
 */
import 'uplot/dist/uPlot.min.css';
import './styles/base.css';
import './styles/frame.css';
import './styles/regulator.css';
import { render } from 'preact';
import { ConsoleShell } from './shared/console-shell';
import { RegulatorApp } from './regulator/regulator-app';

const root = document.getElementById('app');
if (root) render(<ConsoleShell kind="regulator">{(context) => <RegulatorApp context={context} />}</ConsoleShell>, root);
