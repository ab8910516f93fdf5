/** Where the console's copy-button script is served (`registerConsoleAssets`). */
export const COPY_SCRIPT_PATH = "/assets/copy.js";
