/**
 * The netrisk dashboard: hash routes (the fragment never reaches the server), the API key form, the layout.
 *
 *   #/                       exchange overview          #/whatif/ID?legs=...   what-if / position builder
 *   #/account/ID             account                    #/liquidation/ID       liquidation plan
 *   #/parameters             parameter sets             #/breakers             breakers, replay and stress timelines
 *
 * Any of them may carry `key=...` (`#/account/x?key=...`, or `#key=...` alone): it is moved to session storage and
 * erased from the address bar at once.
 * @module
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { clearKey, get, getKey, onUnauthorised, setKey, takeKeyFromFragment } from "./api";
import type { Whoami } from "./api";
import { AccountPage } from "./pages/account";
import { BreakersPage } from "./pages/breakers";
import { LiquidationPage } from "./pages/liquidation";
import { OverviewPage } from "./pages/overview";
import { ParametersPage } from "./pages/parameters";
import { WhatIfPage } from "./pages/whatif";
import { ErrorBox, Loading, useAsync } from "./ui";
import "./style.css";

export interface Route {
  readonly page: "overview" | "account" | "whatif" | "liquidation" | "parameters" | "breakers" | "unknown";
  readonly id?: string;
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, "");
  const [path = "", query = ""] = h.split("?");
  const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const [page, id] = parts;
  if (page === undefined) return { page: "overview", params };
  if ((page === "account" || page === "whatif" || page === "liquidation") && id !== undefined) return { page, id, params };
  if (page === "parameters" || page === "breakers") return { page, params };
  return { page: "unknown", params };
}

function KeyForm({ onKey, message }: { onKey: () => void; message?: string }) {
  const [value, setValue] = useState("");
  return (
    <main class="login">
      <h1>netrisk</h1>
      <p>Enter an API key (from <code>netrisk keys create</code>, or the admin key <code>netrisk serve --demo</code> printed). It is kept in this tab's session storage only.</p>
      {message !== undefined && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim() === "") return;
          setKey(value);
          onKey();
        }}
      >
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} placeholder="nr.admin-…" />
        <button type="submit">Open the dashboard</button>
      </form>
    </main>
  );
}

const NAV: readonly { page: Route["page"]; href: string; label: string; roles: readonly string[] }[] = [
  { page: "overview", href: "#/", label: "Overview", roles: ["admin", "risk"] },
  { page: "parameters", href: "#/parameters", label: "Parameters", roles: ["admin", "risk", "trader"] },
  { page: "breakers", href: "#/breakers", label: "Breakers & replay", roles: ["admin", "risk", "trader"] },
];

function Shell({ me, route, onLogout }: { me: Whoami; route: Route; onLogout: () => void }) {
  const accountLinks = me.accounts ?? [];
  return (
    <>
      <button class="skip" onClick={() => document.getElementById("main")?.focus()}>
        skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/">
          netrisk
        </a>
        <nav aria-label="pages">
          {NAV.filter((n) => n.roles.includes(me.role)).map((n) => (
            <a key={n.page} href={n.href} aria-current={route.page === n.page ? "page" : undefined}>
              {n.label}
            </a>
          ))}
          {accountLinks.map((id) => (
            <a key={id} href={`#/account/${encodeURIComponent(id)}`} aria-current={route.id === id ? "page" : undefined}>
              {id}
            </a>
          ))}
        </nav>
        <form
          class="goto"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const v = ((e.currentTarget as HTMLFormElement).elements.namedItem("goto") as HTMLInputElement).value.trim();
            if (v !== "") location.hash = `#/account/${encodeURIComponent(v)}`;
          }}
        >
          <label class="sr-only" for="goto">
            account id
          </label>
          <input id="goto" name="goto" placeholder="account id…" autocomplete="off" />
        </form>
        <span class="who" title={`key ${me.clientId}`}>
          {me.role}
        </span>
        <button class="link" onClick={onLogout}>
          forget key
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} me={me} />
      </main>
    </>
  );
}

function Page({ route, me }: { route: Route; me: Whoami }) {
  switch (route.page) {
    case "overview":
      if (me.role === "trader" && me.accounts !== null && me.accounts[0] !== undefined) return <AccountPage id={me.accounts[0]} me={me} />;
      return <OverviewPage me={me} />;
    case "account":
      return <AccountPage id={route.id as string} me={me} />;
    case "whatif":
      return <WhatIfPage id={route.id as string} params={route.params} />;
    case "liquidation":
      return <LiquidationPage id={route.id as string} />;
    case "parameters":
      return <ParametersPage me={me} />;
    case "breakers":
      return <BreakersPage me={me} />;
    default:
      return (
        <p>
          No such page. <a href="#/">Overview</a>
        </p>
      );
  }
}

function App() {
  const [hash, setHash] = useState(location.hash);
  const [hasKey, setHasKey] = useState(getKey() !== null);
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => {
    const f = (): void => {
      if (takeKeyFromFragment()) setHasKey(true);
      setHash(location.hash);
    };
    addEventListener("hashchange", f);
    return () => removeEventListener("hashchange", f);
  }, []);
  useEffect(
    () =>
      onUnauthorised(() => {
        clearKey();
        setMessage("The server refused the key (401): enter a valid key.");
        setHasKey(false);
      }),
    [],
  );
  const me = useAsync(() => (hasKey ? get<Whoami>("/v1/whoami") : Promise.resolve(null)), [hasKey]);
  if (!hasKey)
    return (
      <KeyForm
        message={message}
        onKey={() => {
          setMessage(undefined);
          setHasKey(true);
        }}
      />
    );
  if (me.error !== undefined) return <ErrorBox error={me.error} what="key" />;
  if (me.data === undefined || me.data === null) return <Loading what="session" />;
  const route = parseRoute(hash);
  useTitle(route);
  return (
    <Shell
      me={me.data}
      route={route}
      onLogout={() => {
        clearKey();
        setHasKey(false);
      }}
    />
  );
}

function useTitle(route: Route): void {
  document.title = `netrisk · ${route.page === "overview" ? "exchange overview" : route.page}${route.id !== undefined ? ` ${route.id}` : ""}`;
}

takeKeyFromFragment();
render(<App />, document.getElementById("app") as HTMLElement);
