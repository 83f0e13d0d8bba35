/**
 * The playground's token field and the fetcher it feeds. The token lives in a
 * React ref only: never in localStorage or sessionStorage, never in GraphiQL's
 * tabs or history (those hold the Headers editor, which the field does not
 * touch), so closing or reloading the tab forgets it.
 */
import type { Fetcher } from '@graphiql/toolkit';
import { type KeyboardEvent, useCallback, useRef, useState } from 'react';
import { bearerValue, withAuthorization } from './token';

/** Element id of the input; tests and the label find it by it. */
export const TOKEN_INPUT_ID = 'dockql-token';

/** What {@link useTokenFetcher} gives the page. */
export interface TokenFetcher {
  /** The fetcher to hand to GraphiQL. Its identity changes when {@link applyToken} sees a new token. */
  readonly fetcher: Fetcher;
  /** Takes the field's text; the next request (HTTP or WebSocket) carries it. */
  setToken(typed: string): void;
  /** Makes GraphiQL fetch the schema again when the token changed since the last call. */
  applyToken(): void;
}

/**
 * Wraps `base` so that every request carries the current token. Each keystroke
 * only updates a ref, so a run right after typing already uses the new token
 * without one schema request per keystroke; a new fetcher (and with it a new
 * introspection, which GraphiQL runs whenever its `fetcher` prop changes) waits
 * for {@link TokenFetcher.applyToken}, called when the field loses focus or on Enter.
 */
export function useTokenFetcher(base: Fetcher): TokenFetcher {
  const current = useRef<string | undefined>(undefined);
  const applied = useRef<string | undefined>(undefined);
  const wrap = useCallback(
    (): Fetcher => (params, opts) => base(params, { ...opts, headers: withAuthorization(opts?.headers, current.current) }),
    [base],
  );
  const [fetcher, setFetcher] = useState<Fetcher>(wrap);
  const setToken = useCallback((typed: string) => {
    current.current = bearerValue(typed);
  }, []);
  const applyToken = useCallback(() => {
    if (current.current === applied.current) return;
    applied.current = current.current;
    setFetcher(wrap);
  }, [wrap]);
  return { fetcher, setToken, applyToken };
}

/** Props of {@link TokenField}. */
export interface TokenFieldProps {
  onChange(typed: string): void;
  onCommit(): void;
}

/**
 * A labelled password input for a dockql token. It sits in GraphiQL's logo slot
 * (top right of the session header), inside the GraphiQL container, so it
 * follows GraphiQL's light and dark themes.
 */
export function TokenField({ onChange, onCommit }: TokenFieldProps) {
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') onCommit();
  };
  return (
    <div className="dockql-token">
      <label htmlFor={TOKEN_INPUT_ID}>Token</label>
      <input
        id={TOKEN_INPUT_ID}
        type="password"
        placeholder="none"
        title="A dockql token (npm run token). Sent as Authorization: Bearer over HTTP and as connectionParams.authorization over WebSocket; kept in this tab's memory only."
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
        onBlur={onCommit}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
