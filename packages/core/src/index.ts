export * from './errors.js';
export * from './app-name.js';
export * from './procfile.js';
export * from './formation.js';
export * from './config-vars.js';
export * from './records.js';
export * from './heroku-shapes.js';
export * from './labels.js';
