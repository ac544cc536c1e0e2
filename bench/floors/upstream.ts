// What both floor systems share: the two upstream calls on undici pools set up as this gateway
// sets up its own (keep-alive, 64 connections, no pipelining), and the project's own vCard mapping
// (src/vcard), so a floor does the same domain work per card as the systems it is the floor of.
// No validation, no DataLoader, no retries, no timeouts, no metrics: a floor is the least a
// server can do to answer Q1 and Q2 on this stack.
import { Pool } from 'undici';
import type { VCard } from '../../src/domain.js';
import { vcardFromDocument } from '../../src/vcard/from-document.js';
import { vcardFromText } from '../../src/vcard/from-text.js';
import { requiredEnv } from '../src/env.js';

export interface FloorUser {
  accountId: string;
  userId: string;
  firstName: string | null;
  lastName: string | null;
  extensions: { number: string; dids: { phoneNumber: string; customTag: string | null }[] }[];
}

export interface FloorPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: FloorUser[];
}

/** The users API's page, as far as Q1 reads it. */
interface UsersPageDto {
  total_items: number;
  _embedded?: {
    data?: {
      id: number;
      first_name?: string;
      last_name?: string;
      extensions?: {
        extension_number: string;
        dids?: { phone_number: string; custom_tag?: string }[];
      }[];
    }[];
  };
}

export interface Upstreams {
  /** The first `first` users of an account (the floors serve the first page only). */
  firstPage(accountId: string, first: number): Promise<FloorPage>;
  vcard(accountId: string, userId: string): Promise<VCard | null>;
}

/** A base URL with one trailing slash, so paths append to it. */
const required = (name: string): URL => new URL(`${requiredEnv(name)}/`);

function pool(url: URL): Pool {
  return new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
}

const cursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');

export function upstreamsFromEnv(): Upstreams {
  const usersUrl = required('USERS_API_URL');
  const vcardUrl = required('VCARD_API_URL');
  const users = pool(usersUrl);
  const vcards = pool(vcardUrl);
  const usersAuth = { authorization: `Bearer ${process.env['USERS_API_TOKEN'] ?? ''}` };
  const vcardAuth = { 'x-auth-token': process.env['VCARD_API_TOKEN'] ?? '' };
  return {
    async firstPage(accountId, first) {
      const path = `${usersUrl.pathname}accounts/${encodeURIComponent(accountId)}/users?page=1&page_size=${first}`;
      const response = await users.request({
        path,
        method: 'GET',
        headers: { accept: 'application/json', ...usersAuth },
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`users API answered ${response.statusCode}`);
      }
      const page = (await response.body.json()) as UsersPageDto;
      const nodes = (page._embedded?.data ?? []).map((dto) => ({
        accountId,
        userId: String(dto.id),
        firstName: dto.first_name ?? null,
        lastName: dto.last_name ?? null,
        extensions: (dto.extensions ?? []).map((e) => ({
          number: e.extension_number,
          dids: (e.dids ?? []).map((d) => ({
            phoneNumber: d.phone_number,
            customTag: d.custom_tag ?? null,
          })),
        })),
      }));
      return {
        totalCount: page.total_items,
        pageInfo: {
          hasNextPage: nodes.length < page.total_items,
          endCursor: nodes.length === 0 ? null : cursor(nodes.length - 1),
        },
        nodes,
      };
    },
    async vcard(accountId, userId) {
      const path = `${vcardUrl.pathname}accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}/vcard`;
      const response = await vcards.request({
        path,
        method: 'GET',
        headers: { accept: 'application/json, text/vcard;q=0.9', ...vcardAuth },
      });
      if (response.statusCode === 404) {
        await response.body.dump();
        return null;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`vcard API answered ${response.statusCode}`);
      }
      const type = String(response.headers['content-type'] ?? '');
      if (type.includes('json')) {
        const body = (await response.body.json()) as {
          data: Parameters<typeof vcardFromDocument>[0];
        };
        return vcardFromDocument(body.data);
      }
      return vcardFromText(await response.body.text());
    },
  };
}

export function listenPort(): number {
  return Number(process.env['PORT'] ?? 4300);
}
