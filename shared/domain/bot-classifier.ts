/**
 * Classifies every short-link request (spec section 4):
 *
 * - `head`: HEAD requests (link checkers, unfurlers probing the target);
 * - `preview`: link-unfurl bots of chat and social apps, fetching a card for a shared link;
 * - `scanner`: e-mail and link security scanners that open links before (or instead of) the
 *   recipient;
 * - `crawler`: any other bot that `isbot` recognises, and requests without a user agent
 *   (every real browser sends one);
 * - `human`: everything else.
 *
 * Only `human` requests count as clicks. Order matters: the explicit preview and scanner
 * lists run before the generic `isbot` pattern, which would call most of them crawlers.
 *
 * Honesty about limits: many security scanners (Safe Links detonation, Proofpoint, Mimecast
 * sandboxes) send an ordinary browser user agent and cannot be told apart by it; only the
 * ones that name themselves are caught here. In-app browsers (LinkedIn "[LinkedInApp]",
 * Facebook "FBAN/FBAV", Instagram, Snapchat, LINE…) are people and are deliberately not matched.
 */
import { isbot } from 'isbot';
import type { BotClass } from './events.js';


export interface RequestToClassify {
  method: string;
  userAgent: string | null | undefined;
  /** Lower-case header names (as API Gateway HTTP API v2 delivers them). */
  headers?: Readonly<Record<string, string | undefined>>;
}

export interface AgentPattern {
  /** Who sends it. */
  readonly name: string;
  /** Case-insensitive regular expression source matched against the user agent. */
  readonly pattern: string;
}

/**
 * Link-preview (unfurl) agents. Patterns are the product tokens these services send; each
 * avoids the same company's in-app browser (e.g. `LinkedInBot`, not `LinkedIn`;
 * `Snap URL Preview`, not `Snapchat`; `line-poker`, not ` Line/`).
 */
export const PREVIEW_AGENTS: readonly AgentPattern[] = [
  { name: 'LinkedIn', pattern: 'LinkedInBot' },
  { name: 'Slack', pattern: 'Slackbot|Slack-ImgProxy' },
  { name: 'X (Twitter)', pattern: 'Twitterbot' },
  // iMessage previews also announce themselves as "facebookexternalhit/1.1 Facebot Twitterbot/1.0".
  { name: 'Facebook', pattern: 'facebookexternalhit|\\bFacebot\\b' },
  // Anchored: the preview fetcher's UA starts with "WhatsApp/2.x".
  { name: 'WhatsApp', pattern: '^WhatsApp/' },
  { name: 'Discord', pattern: 'Discordbot' },
  { name: 'Telegram', pattern: 'TelegramBot' },
  { name: 'Skype and Teams (legacy)', pattern: 'SkypeUriPreview' },
  { name: 'Microsoft Teams, Outlook and Bing previews', pattern: 'MicrosoftPreview' },
  // Outlook desktop fetches link previews with its own HTTP stack; clicks open the browser.
  { name: 'Outlook desktop', pattern: '^Microsoft Office/[\\d.]+ \\([^)]*Microsoft Outlook' },
  { name: 'Apple (Applebot, Siri, Spotlight)', pattern: 'Applebot' },
  { name: 'Pinterest', pattern: 'Pinterestbot|^Pinterest/0\\.' },
  { name: 'Reddit', pattern: 'redditbot' },
  { name: 'Iframely', pattern: 'Iframely' },
  { name: 'Embedly', pattern: 'Embedly' },
  { name: 'Google snippet renderer', pattern: 'Google-PageRenderer|developers\\.google\\.com/\\+/web/snippet' },
  { name: 'VK', pattern: 'vkShare' },
  { name: 'Viber', pattern: 'ViberUrlDownloader' },
  { name: 'Snapchat', pattern: 'Snap URL Preview Service' },
  { name: 'LINE', pattern: 'line-poker' },
  { name: 'KakaoTalk', pattern: 'kakaotalk-scrap' },
  { name: 'Mastodon', pattern: '\\(Mastodon/' },
  { name: 'Bluesky', pattern: 'Bluesky Cardyb|\\bCardyb/' },
  { name: 'XING', pattern: 'XING-contenttabreceiver' },
  { name: 'Mattermost', pattern: 'Mattermost-Bot' },
  { name: 'Google Messages (SMS/RCS)', pattern: '^GoogleMessages/' },
  { name: 'Quora', pattern: 'Quora Link Preview' },
  { name: 'Yahoo Mail', pattern: 'Yahoo Link Preview|Yahoo:LinkExpander' },
  { name: 'Chatwork', pattern: 'Chatwork LinkPreview' },
  { name: 'Steam chat', pattern: 'SteamChatURLLookup' },
];

/**
 * Security scanners that identify themselves. Vendor-name tokens match the requests in which
 * those products name themselves; no browser ever sends them, so they cannot catch a person.
 */
export const SCANNER_AGENTS: readonly AgentPattern[] = [
  // Microsoft: Bing's snapshot agent, long used by Outlook.com / Safe Links link checks, and
  // the probes Office apps send before opening a clicked link in the browser.
  { name: 'Microsoft BingPreview (Safe Links, Outlook.com)', pattern: 'BingPreview' },
  { name: 'Microsoft Office link probe', pattern: '\\bms-office\\b|\\bMSOffice\\b|Microsoft Office (?:Existence|Protocol) Discovery' },
  { name: 'Proofpoint', pattern: 'Proofpoint' },
  { name: 'Mimecast', pattern: 'Mimecast' },
  { name: 'Barracuda', pattern: 'Barracuda' },
  { name: 'Symantec / Broadcom MessageLabs', pattern: 'MessageLabs|Symantec' },
  { name: 'Trend Micro', pattern: 'Trend ?Micro' },
  { name: 'Cisco IronPort', pattern: 'IronPort' },
  { name: 'FireEye / Trellix', pattern: 'FireEye|Trellix' },
  { name: 'Forcepoint', pattern: 'Forcepoint' },
  { name: 'Sophos', pattern: 'Sophos' },
  { name: 'Zscaler', pattern: 'Zscaler' },
  { name: 'Kaspersky', pattern: 'Kaspersky Lab CFR link resolver' },
  { name: 'Google Safe Browsing', pattern: 'Google-Safety' },
  { name: 'VirusTotal', pattern: 'virustotal' },
  { name: 'urlscan.io', pattern: 'urlscan' },
  { name: 'PhishLabs', pattern: 'LinkWalker' },
];

const compile = (agents: readonly AgentPattern[]): RegExp =>
  new RegExp(agents.map((agent) => `(?:${agent.pattern})`).join('|'), 'i');

// Compiled once per container: one regex test per list per request.
const previewPattern = compile(PREVIEW_AGENTS);
const scannerPattern = compile(SCANNER_AGENTS);

/**
 * Speculative loads (browser prefetch/prerender, Safari "Top Sites" previews) are not clicks.
 * Browsers announce them with these headers; a person's click never carries them.
 */
export const SPECULATIVE_LOAD_HEADERS = ['sec-purpose', 'purpose', 'x-purpose', 'x-moz'] as const;
const speculativeValue = /prefetch|prerender|preview/i;

const isSpeculativeLoad = (headers: RequestToClassify['headers']): boolean => {
  if (!headers) return false;
  for (const name of SPECULATIVE_LOAD_HEADERS) {
    const value = headers[name];
    if (value !== undefined && speculativeValue.test(value)) return true;
  }
  return false;
};

export const classifyUserAgent = (userAgent: string | null | undefined): Exclude<BotClass, 'head'> => {
  const agent = userAgent?.trim();
  if (!agent) return 'crawler';
  if (previewPattern.test(agent)) return 'preview';
  if (scannerPattern.test(agent)) return 'scanner';
  if (isbot(agent)) return 'crawler';
  return 'human';
};

export const classifyRequest = (request: RequestToClassify): BotClass => {
  if (request.method.toUpperCase() === 'HEAD') return 'head';
  const byAgent = classifyUserAgent(request.userAgent);
  if (byAgent === 'human' && isSpeculativeLoad(request.headers)) return 'preview';
  return byAgent;
};
