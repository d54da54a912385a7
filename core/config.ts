// The config (dgmon.yaml), split by concern under core/config/: schema.ts lists the top-level sections. This file
// keeps the one import path everything uses.
export * from './config/index.ts';
