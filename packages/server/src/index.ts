export { readSettings, type ServerSettings } from './settings.js';
