/**
 * The web consoles' shared server side: login, sessions, the live stream and
 * the page (console/server/), and the JSON contract with the browser code
 * (console/api.ts). The browser code itself is console/web/, bundled into
 * dist/console/web/ by console/build-web.ts.
 */
export type * from './api';
export { ConsoleUsers, addConsoleUser, MIN_PASSWORD_LENGTH } from './server/console-users';
export { startConsoleServer, ConsoleRequestError, type ConsoleServer, type ConsoleServerOptions } from './server/console-server';
export { LiveFeed } from './server/live-feed';
export { consoleSettingsSchema, consoleTls, isLoopback, type ConsoleSettings } from './server/console-settings';
