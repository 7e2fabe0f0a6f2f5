export type { FileHandle, FileSystem } from './file-system.js';
export { nodeFileSystem } from './node-file-system.js';
export { FaultyFileSystem, type FaultyFileSystemOptions, type PathMatch } from './faulty-file-system.js';
export { noSpace, writeFileDurably } from './durable-file.js';
