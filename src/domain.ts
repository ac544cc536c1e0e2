// The gateway's domain model: what resolvers see. Upstream DTOs (snake_case) are mapped to these
// types in src/upstream/ and src/vcard/ and never travel further.

export interface ContactNumber {
  type: string;
  value: string;
}

export interface Did {
  phoneNumber: string;
  customTag: string | null;
}

export interface Extension {
  /** Owner of the extension, so that `Extension.user` needs no lookup. */
  accountId: string;
  userId: string;
  number: string;
  dids: Did[];
}

export interface User {
  accountId: string;
  /** The upstream numeric id, as a string. */
  userId: string;
  email: string | null;
  loginName: string | null;
  firstName: string | null;
  lastName: string | null;
  contactNumbers: ContactNumber[];
  extensions: Extension[];
}

export interface VCardPhone {
  number: string;
  types: string[];
}

export interface VCardAddress {
  address: string;
  types: string[];
}

/** A contact card: only contact details, never the upstream document's secrets. */
export interface VCard {
  formattedName: string;
  firstName: string | null;
  lastName: string | null;
  nicknames: string[];
  title: string | null;
  role: string | null;
  birthday: string | null;
  note: string | null;
  emails: string[];
  phones: VCardPhone[];
  addresses: VCardAddress[];
  timezone: string | null;
  language: string | null;
  /** SORT-STRING (3.0) / SORT-AS parameter of N (4.0). */
  sortString: string | null;
  /** RELATED;TYPE=agent (4.0) / AGENT (3.0). */
  assistant: string | null;
}

/** Filter of the users list; only the given fields constrain it. */
export interface UserFilter {
  firstName?: string;
  lastName?: string;
  loginName?: string;
  email?: string;
}

/** One page of the users list as the upstream answered it. */
export interface UsersPage {
  users: User[];
  /** The page number that was answered (1-based). */
  page: number;
  /** The effective page size (the upstream may clamp what was asked). */
  pageSize: number;
  totalItems: number;
}
