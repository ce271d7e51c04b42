/*
 * Landing-page snippet (GET /t.js, SPEC section 13). Include it on the landing site:
 *   <script src="https://<short domain>/t.js" defer></script>
 * It keeps the `eaclid` of the landing URL in a first-party cookie of the landing site for the
 * longest lookback (90 days), exposes it as window.advocacy.clickId(), and fills every form field
 * named `eaclid` (on load, and again as a form is submitted, so forms added later get it too).
 * It makes no request of its own and sets no other cookie.
 */
(function () {
  'use strict';
  var COOKIE = 'advocacy_eaclid';
  var MAX_AGE_S = 90 * 24 * 60 * 60;
  // A click id as the redirect issues it: 26 Crockford base32 characters (time, randomness),
  // then the 22-character visitor id. Anything else is not kept (no cookie injection).
  var CLICK_ID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}(?:[A-Za-z0-9_-]{22})?$/;

  var fromUrl = function () {
    try {
      var value = new URLSearchParams(window.location.search).get('eaclid');
      return value && CLICK_ID.test(value) ? value : null;
    } catch {
      return null;
    }
  };

  var fromCookie = function () {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(COOKIE + '=') === 0) {
        var value = parts[i].slice(COOKIE.length + 1);
        return CLICK_ID.test(value) ? value : null;
      }
    }
    return null;
  };

  var landed = fromUrl();
  if (landed) {
    // The latest click wins, as last-click attribution expects.
    var secure = window.location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = COOKIE + '=' + landed + '; Max-Age=' + MAX_AGE_S + '; Path=/; SameSite=Lax' + secure;
  }

  var clickId = function () {
    return landed || fromCookie();
  };

  var fill = function (root) {
    var id = clickId();
    if (!id || !root || !root.querySelectorAll) return;
    var fields = root.querySelectorAll('input[name="eaclid"]');
    for (var i = 0; i < fields.length; i++) if (!fields[i].value) fields[i].value = id;
  };

  window.advocacy = { clickId: clickId };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () {
      fill(document);
    });
  } else {
    fill(document);
  }
  // Capture phase: runs before the page's own submit handlers read the form.
  document.addEventListener('submit', function (event) {
    fill(event.target);
  }, true);
})();
