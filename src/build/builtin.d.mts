/** Path of the generated built-in dataset zip. */
export declare const BUILTIN_ZIP: string;
/** Build demo/public/builtin/sentences.zip from the npm package sentiment@5.0.2 (if missing, or when forced). */
export declare function buildBuiltin(opts?: { force?: boolean }): Promise<string>;
