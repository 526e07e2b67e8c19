// A web-chat visitor as a browser is one: it opens the page, keeps the visitor cookie the server sets and sends it
// back with every message. Each visitor comes from an address of its own (X-Forwarded-For; the app trusts its
// proxy), as residents at home do, so tests of other things never meet the per-address limits by accident.

export interface WebVisitor {
  /** The server-issued visitor id: the user id of the visitor's tickets. */
  id: string;
  address: string;
  /** `msgId`: the page's message id (a retry sends the same one); a fresh one by default. */
  say(text: string, msgId?: string): Promise<{ status: number; replies: string[]; body: Record<string, unknown> }>;
}

let addresses = 0;
let messages = 0;

export const nextAddress = () => {
  const n = ++addresses;
  return `10.77.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
};

export const visitorCookie = (res: Response): string | undefined =>
  res.headers
    .getSetCookie()
    .map((c) => /^kf_visitor=([^;]*)/.exec(c)?.[1])
    .find((v) => v !== undefined);

export async function openWebChat(url: string, o: { address?: string } = {}): Promise<WebVisitor> {
  const address = o.address ?? nextAddress();
  const page = await fetch(`${url}/`, { headers: { 'x-forwarded-for': address } });
  if (page.status !== 200) throw new Error(`the web chat page answered ${page.status}`);
  const id = visitorCookie(page);
  if (!id) throw new Error('the web chat page set no visitor cookie');
  return {
    id,
    address,
    async say(text, msgId = `web_msg_${String(++messages).padStart(6, '0')}`) {
      const res = await fetch(`${url}/webchat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `kf_visitor=${id}`, 'x-forwarded-for': address },
        body: JSON.stringify({ msgId, text }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      return { status: res.status, replies: (body.replies as string[] | undefined) ?? [], body };
    },
  };
}

/** The same visitor for the same service and name, opened on first use: tests name visitors, the server ids them. */
export function webVisitors(url: () => string) {
  const opened = new Map<string, Promise<WebVisitor>>();
  return (name: string): Promise<WebVisitor> => {
    const key = `${url()} ${name}`;
    if (!opened.has(key)) opened.set(key, openWebChat(url()));
    return opened.get(key)!;
  };
}
