export function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Query values that are secrets: post access codes, e-mail verification keys, OAuth codes and tokens.
const secretQueryKeys = /^(pw|key|code|state|access_token|token|id_token)$/i;

/** The URL with the values of secret query parameters replaced, fit for a log line. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const name = separator === -1 ? pair : pair.slice(0, separator);
      return separator !== -1 && secretQueryKeys.test(decodeSafely(name)) ? `${name}=[Redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}
