export declare const layerDependencies: Record<string, string[]>
export declare const narrowedDependencies: Record<string, Record<string, string[]>>
export declare function layerOf(relPath: string): string | undefined
export declare function importsOf(source: string): string[]
export declare function findViolations(root: string): string[]
