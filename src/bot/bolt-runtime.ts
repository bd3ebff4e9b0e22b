// Bolt's App, HTTP receiver and log levels from their own modules: Bolt's index also loads Express and every other
// receiver (Express, AWS Lambda), ~11 MiB of a bot that never uses them. Types still come from '@slack/bolt'.
// Required, not imported: Node and vitest disagree on what an ES import of a CommonJS module's default is.
import { createRequire } from 'node:module';
import type { App as BoltApp, HTTPReceiver as BoltHTTPReceiver, LogLevel as BoltLogLevel } from '@slack/bolt';

const require = createRequire(import.meta.url);
const app = require('@slack/bolt/dist/App.js') as { default: typeof BoltApp; LogLevel: typeof BoltLogLevel };
const receiver = require('@slack/bolt/dist/receivers/HTTPReceiver.js') as {
  default: typeof BoltHTTPReceiver;
};

export const App = app.default;
export type App = BoltApp;
export const HTTPReceiver = receiver.default;
export const LogLevel = app.LogLevel;
export type LogLevel = BoltLogLevel;
