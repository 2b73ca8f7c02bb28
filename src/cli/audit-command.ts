import { runEnqueue } from "./enqueue-command.js";

export const run = (argv: string[]): Promise<number> => runEnqueue("audit", argv);
