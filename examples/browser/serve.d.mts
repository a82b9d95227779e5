// Types of serve.mjs, for the browser test.
export interface StaticServer {
  /** e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}
export function serveStatic(root: string, options?: { host?: string; port?: number }): Promise<StaticServer>;
