/**
 * The static web pages and their assets: URL path → file, relative to the repository root.
 * functions/pages.ts serves exactly these; on AWS the same files are copied next to the pages
 * function's bundle (infra/definitions.ts `files`), so local and AWS serve the same bytes.
 * uPlot is served from node_modules as installed (no CDN, no copy in the repository).
 */
export interface WebAsset {
  file: string;
  contentType: string;
  /** HTML documents get the strict Content-Security-Policy of a page. */
  page?: true;
  /**
   * Loaded by other sites (the landing-page snippet): cached by browsers and the CDN for this
   * long, and loadable cross-origin. Other assets are revalidated on every use.
   */
  embeddedMaxAgeSeconds?: number;
}

const html = 'text/html; charset=utf-8';
const script = 'text/javascript; charset=utf-8';
const css = 'text/css; charset=utf-8';

export const webAssets: Record<string, WebAsset> = {
  '/dashboard': { file: 'web/dashboard.html', contentType: html, page: true },
  '/me': { file: 'web/me.html', contentType: html, page: true },
  '/docs': { file: 'web/docs.html', contentType: html, page: true },
  '/assets/common.js': { file: 'web/common.js', contentType: script },
  '/assets/dashboard.js': { file: 'web/dashboard.js', contentType: script },
  '/assets/funnel.js': { file: 'web/funnel.js', contentType: script },
  '/assets/me.js': { file: 'web/me.js', contentType: script },
  '/assets/share.js': { file: 'web/share.js', contentType: script },
  '/assets/docs.js': { file: 'web/docs.js', contentType: script },
  '/assets/style.css': { file: 'web/style.css', contentType: css },
  '/assets/icon.svg': { file: 'web/icon.svg', contentType: 'image/svg+xml' },
  '/t.js': { file: 'web/t.js', contentType: script, embeddedMaxAgeSeconds: 3600 },
  '/assets/uplot.iife.min.js': { file: 'node_modules/uplot/dist/uPlot.iife.min.js', contentType: script },
  '/assets/uplot.min.css': { file: 'node_modules/uplot/dist/uPlot.min.css', contentType: css },
};

export const webAssetFiles: readonly string[] = [...new Set(Object.values(webAssets).map((asset) => asset.file))];
