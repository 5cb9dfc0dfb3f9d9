/**
 * The one rule for which network addresses outbound requests (media URLs, webhooks) may reach.
 *
 * Every spelling of an address is brought to its bytes first, so a private IPv4 address cannot hide
 * behind another form: bracketed or with a zone id (`fe80::1%eth0`), IPv4 in hex, octal or short
 * forms (`0x7f.1`, `0177.0.0.1`, `2130706433`, `127.1`), or embedded in IPv6 (IPv4-mapped
 * `::ffff:127.0.0.1` and `::ffff:7f00:1`, IPv4-compatible `::127.0.0.1`, IPv4-translated
 * `::ffff:0:127.0.0.1`, NAT64 `64:ff9b::127.0.0.1`, 6to4 `2002:7f00:1::`). Embedded IPv4 is
 * judged as IPv4. Anything that does not parse is not public.
 */

type Address = { family: 4; bytes: number[] } | { family: 6; bytes: number[] };

/** IPv4 ranges that are not publicly routable (RFC 6890 and friends): [first octets, prefix length]. */
const IPV4_NOT_PUBLIC: [number[], number][] = [
  [[0], 8], // "this" network
  [[10], 8], // private
  [[100, 64], 10], // carrier-grade NAT
  [[127], 8], // loopback
  [[169, 254], 16], // link-local (cloud metadata)
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, broadcast
];

/** Global-unicast IPv6 ranges (inside 2000::/3) that are still not public. */
const IPV6_NOT_PUBLIC: [number[], number][] = [
  [[0x20, 0x01, 0x00, 0x00], 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x3f, 0xff], 20], // documentation (RFC 9637)
];

/** True when `address` (any spelling) is a public unicast address an outbound request may reach. */
export function isPublicAddress(address: string): boolean {
  const parsed = parseAddress(address);
  if (!parsed) return false;
  if (parsed.family === 4) return isPublicIpv4(parsed.bytes);
  const embedded = embeddedIpv4(parsed.bytes);
  if (embedded) return isPublicIpv4(embedded);
  // Only global unicast (2000::/3) can be public; this leaves out ::, ::1, fc00::/7 (unique local),
  // fe80::/10 (link-local), ff00::/8 (multicast), 64:ff9b:1::/48 (local NAT64), 100::/64 (discard).
  if ((parsed.bytes[0] & 0xe0) !== 0x20) return false;
  return !IPV6_NOT_PUBLIC.some(([prefix, length]) => inPrefix(parsed.bytes, prefix, length));
}

/** The canonical text of an address written in any accepted form (IPv6 without zone), or null. */
export function normaliseAddress(address: string): string | null {
  const parsed = parseAddress(address);
  if (!parsed) return null;
  if (parsed.family === 4) return parsed.bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((parsed.bytes[i] << 8) | parsed.bytes[i + 1]).toString(16));
  return groups.join(':');
}

/** Whether `host` (a URL hostname, maybe bracketed) is written as an address rather than a DNS name. */
export function isAddressLiteral(host: string): boolean {
  return parseAddress(host) !== null;
}

function parseAddress(raw: string): Address | null {
  let text = raw.trim().toLowerCase();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIpv4(text);
  return bytes ? { family: 4, bytes } : null;
}

/** inet_aton's forms: 1 to 4 parts, each decimal, 0x hex or 0 octal; the last part fills the rest. */
function parseIpv4(text: string): number[] | null {
  const parts = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((value) => value > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 256 ** lastBytes) return null;
  const bytes = [...values];
  for (let i = lastBytes - 1; i >= 0; i -= 1) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

function parseIpv6(text: string): number[] | null {
  // A dotted IPv4 tail ("::ffff:127.0.0.1") stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(tail)) return null;
    const [a, b, c, d] = tail.split('.').map(Number);
    if ([a, b, c, d].some((value) => value > 255)) return null;
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groupsOf(halves[0]);
  const right = halves.length === 2 ? groupsOf(halves[1]) : [];
  const listed = left.length + right.length;
  if (halves.length === 1 ? listed !== 8 : listed > 7) return null;
  const groups = [...left, ...Array<string>(8 - listed).fill('0'), ...right];
  const bytes: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

/** The IPv4 address an IPv6 address carries and would deliver to, for the forms that embed one. */
function embeddedIpv4(bytes: number[]): number[] | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const last4 = bytes.slice(12, 16);
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated)
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return last4;
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return last4;
  // ::a.b.c.d (compatible, deprecated); :: and ::1 are left to the IPv6 rule
  if (zeros(0, 12) && !zeros(12, 15)) return last4;
  // 64:ff9b::/96 (well-known NAT64 prefix)
  if (inPrefix(bytes, [0x00, 0x64, 0xff, 0x9b], 32) && zeros(4, 12)) return last4;
  // 2002::/16 (6to4): the IPv4 address follows the prefix
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

function isPublicIpv4(bytes: number[]): boolean {
  return !IPV4_NOT_PUBLIC.some(([prefix, length]) => inPrefix(bytes, prefix, length));
}

function inPrefix(bytes: number[], prefix: number[], length: number): boolean {
  for (let bit = 0; bit < length; bit += 8) {
    const remaining = Math.min(8, length - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    const index = bit / 8;
    if ((bytes[index] & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}
