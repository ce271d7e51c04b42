// Suggested posts on the advocate page (spec section 15): a campaign's template filled with the
// advocate's own short link, the URL of each network's share dialog that carries it, and the
// record that a share was started. No DOM here: me.js renders (as text, never as HTML).

/**
 * The most characters of a display name a post carries; longer names are cut. The API checks
 * every template against this length (shared/domain/share-template.ts, ADVOCATE_NAME_IN_POST).
 */
const NAME_IN_POST = 50;

export function nameInPost(displayName) {
  const characters = [...displayName.normalize('NFC')];
  return characters.length <= NAME_IN_POST ? characters.join('') : `${characters.slice(0, NAME_IN_POST - 1).join('')}…`;
}

/** One pass: a campaign or advocate name that contains "{link}" stays as written. */
export const fillPost = (template, values) =>
  template.replace(/\{(link|advocateName|campaignName)\}/g, (_placeholder, name) => values[name]);

// Spaces as %20 (never "+", which mailto: bodies would show) and every character outside RFC
// 3986's unreserved set escaped, ! ' ( ) * too: browsers escape ' in a query themselves, so the
// URL opened is exactly the URL shown. A lone surrogate would make encodeURIComponent throw.
const encode = (text) =>
  encodeURIComponent(text.toWellFormed ? text.toWellFormed() : text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The networks whose own share dialog we open, in the order shown. Each takes the filled post
 * (the link inside it, where the template put it) except Facebook, whose sharer takes only a URL.
 * - LinkedIn: the feed's composer (`shareActive=true&text=`) is the one that takes text;
 *   share-offsite (`?url=`) takes only the link and would drop the post.
 * - X: the whole post in `text`; `url=` is not used, as X would append the link a second time.
 * - E-mail: the campaign's name as the subject; line breaks as CRLF (RFC 6068).
 */
export const shareDialogs = {
  linkedin: { label: 'Share on LinkedIn', url: ({ post }) => `https://www.linkedin.com/feed/?shareActive=true&text=${encode(post)}` },
  x: { label: 'Post on X', url: ({ post }) => `https://x.com/intent/post?text=${encode(post)}` },
  facebook: { label: 'Share on Facebook', url: ({ link }) => `https://www.facebook.com/sharer/sharer.php?u=${encode(link)}` },
  whatsapp: { label: 'Send on WhatsApp', url: ({ post }) => `https://wa.me/?text=${encode(post)}` },
  email: {
    label: 'Send by e-mail',
    url: ({ post, campaignName }) => `mailto:?subject=${encode(campaignName)}&body=${encode(post.replace(/\r?\n/g, '\r\n'))}`,
  },
};

/**
 * Tells the API that this advocate started a share (POST /v1/shares). Best effort: sent with
 * keepalive so it survives the page being left, and any failure (offline, an API without the
 * route yet) is ignored — the share itself already happened in the other tab.
 */
export function recordShare(token, campaignId, channel) {
  fetch('/v1/shares', {
    method: 'POST',
    keepalive: true,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ campaignId, channel }),
  }).catch(() => {});
}
