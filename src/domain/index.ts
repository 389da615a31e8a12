export * from './labels';
export * from './comment';
export * from './decision';
