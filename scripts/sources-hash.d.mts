export declare function sourcesHash(root?: string): string
export declare const SOURCES_FILE: string
