/** Any JSON value: what travels in message bodies, log entries and the key-value store. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
