/**
 * What keeps a web page from driving the control API through the user's browser: a page of another
 * origin can send a "simple" cross-origin request (no preflight: a text/plain or body-less POST) and
 * a DNS-rebinding page reaches a loopback server under its own host name. So, as Docker, Jupyter
 * and Vite do: a request body must be declared JSON, a mutating request must not come from another
 * origin, and a loopback control API without a token answers only loopback host names.
 */
import { isUtf8Label } from '../../src/soap/encoding.ts';
import { parameterValues, parseMediaType } from '../../src/soap/media-type.ts';
import { isLoopback } from '../config/schema.ts';

/** Deepest nesting of arrays and objects a control request body may have (400 beyond). */
export const CONTROL_JSON_DEPTH = 32;

/** The media types a control request body may declare: application/json and application/*+json. */
const JSON_MEDIA = /^application\/(?:[\w.-]+\+)?json$/;

export interface Refusal {
  status: number;
  message: string;
}

const shown = (v: string) => JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v);

/** Why a request body with this Content-Type is refused (415), or undefined when it is JSON in UTF-8. */
export function contentTypeRefusal(contentType: string | null | undefined): Refusal | undefined {
  const accepted = 'send "Content-Type: application/json"';
  if (contentType === undefined || contentType === null || contentType.trim() === '') {
    return {
      status: 415,
      message: `request body without Content-Type refused: it must be JSON, ${accepted}`,
    };
  }
  const media = parseMediaType(contentType);
  if (!JSON_MEDIA.test(media.type)) {
    return {
      status: 415,
      message: `Content-Type ${shown(contentType)} refused: the body must be JSON, ${accepted}`,
    };
  }
  const charsets = parameterValues(media, 'charset');
  if (charsets.length > 1 || (charsets.length === 1 && !isUtf8Label(charsets[0]!.trim()))) {
    return {
      status: 415,
      message: `Content-Type ${shown(contentType)} refused: a JSON body is read as UTF-8, ${accepted}`,
    };
  }
  return undefined;
}

/**
 * Why a JSON text nests arrays and objects deeper than `limit` (undefined when it does not): checked
 * before parsing, so that no recursion over the parsed value can exhaust the stack.
 */
export function jsonDepthRefusal(text: string, limit = CONTROL_JSON_DEPTH): Refusal | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) {
        return {
          status: 400,
          message: `request body nests arrays and objects deeper than ${limit} levels (the control API's limit)`,
        };
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return undefined;
}

/** Host name (brackets kept off an IPv6 address) and port of a `Host` header; undefined when malformed. */
function splitHost(host: string): { name: string; port?: string } | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^\s:/?#@[\]]+))(?::(\d*))?$/i.exec(host.trim());
  if (!m) return undefined;
  return { name: (m[1] ?? m[2]!).toLowerCase(), ...(m[3] ? { port: m[3] } : {}) };
}

/**
 * Why a loopback control API without a token refuses this `Host` (403), or undefined: only a
 * loopback name or address (or the host it is bound to) is answered, so a page whose own name
 * resolves to 127.0.0.1 (DNS rebinding) cannot read the tickets. The port is not compared: an SSH
 * tunnel or a port forward reaches the same server on another port, and a rebinding page is refused
 * by its name whatever the port.
 */
export function hostRefusal(host: string | undefined, boundHost: string): Refusal | undefined {
  // HTTP/1.0 without Host: no browser sends that, so no rebinding page either.
  if (host === undefined) return undefined;
  const parsed = splitHost(host);
  const bound = boundHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (parsed && (isLoopback(parsed.name) || parsed.name === bound)) return undefined;
  return {
    status: 403,
    message: `Host ${shown(host)} refused: the control API, bound to ${boundHost} without a token, answers only localhost, 127.0.0.1, [::1] or ${boundHost} (a page of another host name reaching it would be DNS rebinding); set control.token to serve it under other names`,
  };
}

/** Whether a request method changes the mock's state (the control API's POST, PUT and DELETE). */
export const isMutating = (method: string) => method === 'POST' || method === 'PUT' || method === 'DELETE';

/**
 * Why a mutating request with this `Origin` is refused (403), or undefined: a browser names the page
 * that sent the request, and only a page of the control API's own origin (`self`, e.g.
 * `http://127.0.0.1:19480`) may change the mock. Curl and Node's fetch send no Origin.
 */
export function originRefusal(origin: string | undefined, self: string): Refusal | undefined {
  if (origin === undefined) return undefined;
  let own: string | undefined;
  let theirs: string | undefined;
  try {
    own = new URL(self).origin;
    theirs = origin === 'null' ? undefined : new URL(origin).origin;
  } catch {
    theirs = undefined;
  }
  if (own !== undefined && theirs === own) return undefined;
  return {
    status: 403,
    message: `Origin ${shown(origin)} refused: the control API changes the mock only for requests of its own origin (${own ?? self}) or without Origin (curl, scripts), never for a page of another site`,
  };
}
