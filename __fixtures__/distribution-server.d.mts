export declare const DISTRIBUTION_BINARY: string
export interface Distribution {
  url: string
  host: string
  /** its temp directory (config and storage) */
  dir: string
  pid: number | undefined
  stop(): Promise<void>
}
export declare function freePort(): Promise<number>
export declare function startDistribution(opts?: {
  htpasswd?: { username: string; password: string }
  /** serve HTTPS with this certificate and key (PEM files) */
  tls?: { certificate: string; key: string }
  /** the storage root directory, shared with another instance (kept on stop) */
  storage?: string
}): Promise<Distribution>
