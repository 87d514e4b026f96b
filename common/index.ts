export * from './errors.js';
export * from './assert.js';
export * from './suggest.js';
export * from './scalar.js';
export * from './decimal.js';
export * from './limits.js';
export * from './logger.js';
