export * from './labels';
export * from './comment';
export * from './decision';
export * from './severity';
export * from './hashing';
