export { scan, compareFindings, DEFAULT_MAX_FILE_BYTES } from "./scan.js";
export { discoverFiles, walkDirectories, type DiscoveredFile, type Discovery, type DiscoverOptions, type DirectoryListing } from "./discover-files.js";
export { readTerraformFile, classifyBytes, decodeText } from "./read-terraform-file.js";
export { mayDeclareAccessKey } from "./precheck.js";
export { parseHcl, HclParseError, stopHclParser } from "./hcl2json-adapter.js";
export { fingerprint } from "./fingerprint.js";
export * from "./types.js";
