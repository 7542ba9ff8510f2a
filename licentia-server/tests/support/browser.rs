//! A real browser for the console's stories: Debian's headless Chromium,
//! driven over WebDriver (chromedriver, started per browser) with
//! fantoccini. The stories read as a person uses the console:
//!
//! ```ignore
//! let Some(browser) = Browser::start(&srv.base).await else { return };
//! browser.open("/sign-in").await;
//! browser.fill("E-mail address", "cleo@alpha.test").await;
//! browser.fill("Password", PASSWORD).await;
//! browser.click("Sign in").await;
//! assert_eq!(browser.path().await, "/");
//! browser.review("dashboard").await; // landmarks, axe-core, screenshot
//! ```
//!
//! Nothing here sleeps to wait for a page: navigation waits for the load,
//! and every step then waits for `document.readyState` to be complete and
//! htmx to be neither requesting nor swapping (its `htmx-request`,
//! `-swapping`, `-settling` and `-added` classes gone). Every step panics with what it was
//! doing when the page does not allow it, as the other steps do.
//!
//! Without Chromium a developer's run says `SKIPPED: ...` and the story
//! returns; on CI (`CI` set) a missing browser fails the test.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// Where Debian's packages put the browser and its driver;
/// `LICENTIA_CHROMIUM` and `LICENTIA_CHROMEDRIVER` point elsewhere.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// axe-core, vendored (see `tests/assets/axe-core/SOURCE.md`).
const AXE: &str = include_str!("../assets/axe-core/axe.min.js");

/// How long a page, an element or a script may take before a step fails.
const PATIENCE: Duration = Duration::from_secs(20);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(20);

/// The desktop window, and the phone one of [`Browser::set_mobile`].
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

/// The session cookie's name, as the server sets it.
const SESSION_COOKIE: &str = licentia_server::staff::SESSION_COOKIE;

/// How a browser starts: its language and whether it runs scripts.
#[derive(Clone, Debug)]
pub struct Options {
    lang: String,
    javascript: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            lang: "en".into(),
            javascript: true,
        }
    }
}

impl Options {
    /// The language the browser asks for (`Accept-Language` and its own
    /// `--lang`): `"fr"`, `"de"`, `"en-GB"`... English by default.
    pub fn lang(mut self, lang: &str) -> Options {
        lang.clone_into(&mut self.lang);
        self
    }

    /// Whether pages run their scripts (on by default): off, the console
    /// must still read and post its forms.
    pub fn javascript(mut self, on: bool) -> Options {
        self.javascript = on;
        self
    }

    /// Starts a browser with these options on the server at `base`
    /// (`http://127.0.0.1:port`); `None`, after a `SKIPPED` line, when
    /// Chromium is not installed on a developer's machine.
    pub async fn start(self, base: &str) -> Option<Browser> {
        let (chromium, chromedriver) = installed()?;
        let driver = Driver::spawn(&chromedriver).await;
        let profile = tempfile::tempdir().expect("a temporary Chromium profile");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&chromium, profile.path(), &self))
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("Chromium did not start under chromedriver: {e}"));
        Some(Browser {
            client,
            base: base.trim_end_matches('/').to_owned(),
            options: self,
            driver,
            _profile: profile,
        })
    }
}

/// A headless Chromium on a server, for one test. Dropping it ends the
/// browser, its driver and its profile, even when the test panics.
pub struct Browser {
    client: Client,
    base: String,
    options: Options,
    // Dropped in this order: the processes first, then their profile.
    driver: Driver,
    _profile: tempfile::TempDir,
}

/// A serious or critical accessibility violation axe-core found on a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule, e.g. `color-contrast`, `label`.
    pub id: String,
    /// `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for, in a sentence.
    pub help: String,
    /// The CSS selectors of the elements that break it.
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} — at {}",
            self.id,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

impl Browser {
    /// Starts a browser in English with scripts on, on the server at
    /// `base`; `None` (after a `SKIPPED` line) on a developer's machine
    /// without Chromium. See [`Browser::options`] for the others.
    pub async fn start(base: &str) -> Option<Browser> {
        Options::default().start(base).await
    }

    /// The options of another start: `Browser::options().lang("fr")
    /// .javascript(false).start(base)`.
    pub fn options() -> Options {
        Options::default()
    }

    /// How this browser was started.
    pub fn started_with(&self) -> &Options {
        &self.options
    }

    /// The WebDriver client, for what the steps here do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `path` on the server (`"/sign-in"`), or a full URL, and waits
    /// for the page.
    pub async fn open(&self, path: &str) {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        self.settle(&format!("open {path}")).await;
    }

    /// Types `value` into the field whose `<label>` reads `label` (spaces
    /// and case aside, a trailing `:` or `*` too), or else whose
    /// `aria-label`, `name` or `id` is `label`; what it held is cleared.
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.control("field", label).await;
        let what = format!("fill {label:?}");
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }

    /// Chooses the option whose text is `option` in the `<select>` that
    /// `label` names (as [`Browser::fill`] finds fields).
    pub async fn select(&self, label: &str, option: &str) {
        let field = self.control("field", label).await;
        field
            .select_by_label(option)
            .await
            .unwrap_or_else(|e| panic!("select {option:?} in {label:?}: {e}"));
        self.settle(&format!("select {option:?}")).await;
    }

    /// Ticks (`on`) or clears the checkbox or radio button `label` names
    /// (as [`Browser::fill`] finds fields), with a click as a person does,
    /// only when it is not so already.
    pub async fn check(&self, label: &str, on: bool) {
        let field = self.control("field", label).await;
        let checked = field
            .prop("checked")
            .await
            .unwrap_or_else(|e| panic!("check {label:?}: {e}"));
        if (checked.as_deref() == Some("true")) != on {
            field
                .click()
                .await
                .unwrap_or_else(|e| panic!("check {label:?}: {e}"));
            self.settle(&format!("check {label:?}")).await;
        }
    }

    /// Clicks the button or link whose visible text (or `aria-label`, or
    /// a submit input's value) is `text`, then waits for the page it
    /// leads to, or for the part it swaps.
    pub async fn click(&self, text: &str) {
        let target = self.control("action", text).await;
        self.press(target, &format!("click {text:?}")).await;
    }

    /// The address a link whose text is `text` leads to, as written in the
    /// page (`"/renewals.csv?..."`): to [`Browser::fetch`] a download.
    pub async fn href(&self, text: &str) -> String {
        let link = self.control("action", text).await;
        link.attr("href")
            .await
            .unwrap_or_else(|e| panic!("href of {text:?}: {e}"))
            .unwrap_or_else(|| panic!("{text:?} is not a link"))
    }

    /// Clicks the submit button of the form being filled (the one holding
    /// the focused field, else the page's only form), whatever its words:
    /// the same step in every language.
    pub async fn submit(&self) {
        let found = self
            .script(
                r#"
                const active = document.activeElement;
                const forms = [...document.forms];
                const form = (active && active.form) || (forms.length === 1 ? forms[0] : null);
                if (!form) return { known: forms.length };
                const button = form.querySelector(
                    'button:not([type]), button[type=submit], input[type=submit]');
                return button ? { found: button } : { known: 'no submit button' };
                "#,
                vec![],
            )
            .await;
        let Some(button) = self.element(&found["found"]) else {
            panic!(
                "no form to submit on {} ({})",
                self.path().await,
                found["known"]
            );
        };
        self.press(button, "submit").await;
    }

    /// Clicks `target` and waits for what it does: when it leads to a new
    /// page (a link, a plain form's button), until that page has replaced
    /// this one — the old page is still "complete" until then — and until
    /// htmx is done swapping in any case.
    async fn press(&self, target: Element, what: &str) {
        let element = serde_json::to_value(&target).expect("an element reference");
        let navigates = self
            .script(
                r#"
                const el = arguments[0];
                const htmx = (e) => e && [...e.attributes].some(a => a.name.startsWith('hx-'));
                const link = el.closest('a[href]');
                const form = el.form || el.closest('form');
                const leaves = link
                    ? !link.hasAttribute('download') && !htmx(link)
                    : !!form && !htmx(form) && !htmx(el);
                if (leaves) { window.__licentiaLeaving = true; }
                return leaves;
                "#,
                vec![element],
            )
            .await
            == Value::Bool(true);
        target
            .click()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        if navigates {
            let start = Instant::now();
            loop {
                let left = self
                    .client
                    .execute("return window.__licentiaLeaving !== true", vec![])
                    .await;
                if let Ok(Value::Bool(true)) = left {
                    break;
                }
                if start.elapsed() > PATIENCE {
                    panic!("{what}: the next page never came");
                }
                tokio::time::sleep(POLL).await;
            }
        }
        self.settle(what).await;
    }

    /// The texts of the page's alerts (`role="alert"`: refusals, errors),
    /// in page order; empty when it has none.
    pub async fn alerts(&self) -> Vec<String> {
        let texts = self
            .script(
                "return [...document.querySelectorAll('[role=alert]')]\
                 .map(e => e.innerText.replace(/\\s+/g, ' ').trim()).filter(Boolean)",
                vec![],
            )
            .await;
        serde_json::from_value(texts).expect("alert texts")
    }

    /// The page's visible text (`innerText` of its body).
    pub async fn text(&self) -> String {
        let text = self
            .script(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the page's visible text holds `needle` (after a swap
    /// that a step did not wait for); panics with the text it has.
    pub async fn wait_for_text(&self, needle: &str) {
        let start = Instant::now();
        loop {
            let text = self.text().await;
            if text.contains(needle) {
                return;
            }
            if start.elapsed() > PATIENCE {
                panic!("{needle:?} never appeared on {}:\n{text}", self.url().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The page's full URL.
    pub async fn url(&self) -> url::Url {
        self.client.current_url().await.expect("the current URL")
    }

    /// The page's path and query: `"/"`, `"/licenses?status=active"`.
    pub async fn path(&self) -> String {
        let url = self.url().await;
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The page's language, as its `<html lang>` says.
    pub async fn page_lang(&self) -> String {
        let lang = self
            .script("return document.documentElement.lang", vec![])
            .await;
        lang.as_str().unwrap_or_default().to_owned()
    }

    /// The page's title.
    pub async fn title(&self) -> String {
        self.client.title().await.expect("the page's title")
    }

    /// The rows of the table named `table` (its `id`, `<caption>`,
    /// `aria-label`, or the heading that labels its region, whole or up to
    /// a space: `"Gold"` finds the table under "Gold (3)"), each as its
    /// cells' visible texts (`th` and `td`), header rows first.
    pub async fn table(&self, table: &str) -> Vec<Vec<String>> {
        let rows = self
            .script(
                r#"
                const [wanted] = arguments;
                const norm = s => (s || '').replace(/\s+/g, ' ').trim();
                const tables = [...document.querySelectorAll('table')];
                // A table's names: its id, caption and aria-label, and the
                // label of the region it is in (aria-labelledby).
                const names = t => {
                    const region = t.closest('[aria-labelledby]');
                    const by = region && document.getElementById(region.getAttribute('aria-labelledby'));
                    return [t.id, t.caption && t.caption.innerText, t.getAttribute('aria-label'),
                            by && by.innerText].map(norm).filter(Boolean);
                };
                const table = tables.find(t => names(t).includes(norm(wanted)))
                    || tables.find(t => names(t).some(n => n.startsWith(norm(wanted) + ' ')));
                if (!table) {
                    return { missing: tables.map(t => names(t).join(' / ') || '(unnamed)') };
                }
                return [...table.rows].map(r => [...r.cells].map(c => norm(c.innerText)));
                "#,
                vec![json!(table)],
            )
            .await;
        if let Some(tables) = rows.get("missing") {
            panic!(
                "no table {table:?} on {}; its tables: {tables}; its text:\n{}",
                self.path().await,
                self.text().await
            );
        }
        serde_json::from_value(rows).expect("rows of cell texts")
    }

    /// The session cookie as a `Cookie` header's value
    /// (`licentia_session=...`), to fetch as the same person; panics when
    /// the browser has none (signed out).
    pub async fn session_cookie(&self) -> String {
        let cookie = self
            .client
            .get_named_cookie(SESSION_COOKIE)
            .await
            .unwrap_or_else(|e| panic!("no {SESSION_COOKIE} cookie in the browser: {e}"));
        format!("{}={}", cookie.name(), cookie.value())
    }

    /// GETs `path` outside the browser as the person signed in to it (a
    /// download the browser would save): the answer, to read.
    pub async fn fetch(&self, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("cookie", self.session_cookie().await)
            .header("accept-language", &self.options.lang)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Writes the whole page as `<name>.png` under
    /// `$CARGO_TARGET_DIR/console-screenshots/` (`target/` by default),
    /// for review; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshots' directory");
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let path = dir.join(format!("{file}.png"));
        // The window grows to the page's height for the picture (its
        // frame's height above the page's), then returns to its size.
        let (width, height) = self.client.get_window_size().await.expect("window size");
        let sizes = self
            .script(
                "return [Math.ceil(document.documentElement.scrollHeight), window.innerHeight]",
                vec![],
            )
            .await;
        let (page, inner) = (sizes[0].as_u64(), sizes[1].as_u64());
        let frame = inner.map_or(0, |inner| height.saturating_sub(inner));
        let tall = page.map_or(height, |page| (page + frame).clamp(height, 8000));
        if tall != height {
            self.resize(width as u32, tall as u32).await;
        }
        let png = self.client.screenshot().await.expect("a screenshot");
        if tall != height {
            self.resize(width as u32, height as u32).await;
        }
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// The serious and critical violations axe-core finds on the page
    /// (empty when it has none), injected from the vendored copy. It needs
    /// the page's timers: a browser without scripts cannot run it (the
    /// same page is checked in one with scripts).
    pub async fn axe(&self) -> Vec<Violation> {
        assert!(
            self.options.javascript,
            "axe-core runs on timers that a browser without scripts stops: \
             check {} in a browser with scripts on",
            self.path().await
        );
        let loaded = self
            .script("return typeof window.axe === 'object'", vec![])
            .await;
        if loaded != json!(true) {
            self.script(&format!("{AXE}\n;return true"), vec![]).await;
        }
        let found = self
            .client
            .execute_async(
                r#"
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => ({
                            id: v.id, impact: v.impact, help: v.help,
                            targets: v.nodes.map(n => n.target.join(' ')),
                        }))))
                    .catch(e => done({ error: String(e) }));
                "#,
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("axe.run: {e}"));
        if let Some(error) = found.get("error") {
            panic!("axe.run failed: {error}");
        }
        found
            .as_array()
            .expect("axe's violations")
            .iter()
            .map(|v| Violation {
                id: text_of(&v["id"]),
                impact: text_of(&v["impact"]),
                help: text_of(&v["help"]),
                targets: v["targets"]
                    .as_array()
                    .map(|t| t.iter().map(text_of).collect())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Asserts axe-core finds no serious or critical violation on the
    /// page, listing them when it does.
    pub async fn assert_accessible(&self) {
        let found = self.axe().await;
        let list: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            found.is_empty(),
            "axe-core on {}:\n{}",
            self.path().await,
            list.join("\n")
        );
    }

    /// Asserts the page has what every console page has: a language, a
    /// title and one `<main>`.
    pub async fn assert_landmarks(&self) {
        let page = self
            .script(
                "return { lang: document.documentElement.lang, title: document.title, \
                 main: document.querySelectorAll('main, [role=main]').length }",
                vec![],
            )
            .await;
        let at = self.path().await;
        assert!(page["lang"] != json!(""), "{at}: no lang on <html>");
        assert!(page["title"] != json!(""), "{at}: no <title>");
        assert_eq!(page["main"], json!(1), "{at}: one <main>");
    }

    /// The accessible names of the page's navigation landmarks (`<nav>`:
    /// their `aria-label`, or `""`); empty when it has none.
    pub async fn navs(&self) -> Vec<String> {
        let navs = self
            .script(
                "return [...document.querySelectorAll('nav, [role=navigation]')]\
                 .map(n => n.getAttribute('aria-label') || '')",
                vec![],
            )
            .await;
        serde_json::from_value(navs).expect("nav labels")
    }

    /// A page's review, as every story does on each page it visits: its
    /// landmarks, axe-core's verdict (with scripts on) and its screenshot
    /// `name`; returns the screenshot's path.
    pub async fn review(&self, name: &str) -> PathBuf {
        self.assert_landmarks().await;
        if self.options.javascript {
            self.assert_accessible().await;
        }
        self.screenshot(name).await
    }

    /// Presses Tab `times` times; returns the text (or `aria-label`, or a
    /// field's label) of the element that then has the focus, for the
    /// keyboard's path through a page.
    pub async fn tab(&self, times: usize) -> String {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let tab = char::from(fantoccini::key::Key::Tab);
        let mut keys = KeyActions::new("keyboard".into());
        for _ in 0..times {
            keys = keys
                .then(KeyAction::Down { value: tab })
                .then(KeyAction::Up { value: tab });
        }
        self.client
            .perform_actions(keys)
            .await
            .unwrap_or_else(|e| panic!("press Tab: {e}"));
        let name = self
            .script(
                r#"
                const e = document.activeElement;
                if (!e || e === document.body) return '';
                const label = e.labels && e.labels[0];
                return (e.getAttribute('aria-label') || (label && label.innerText)
                    || e.innerText || e.value || e.name || '').replace(/\s+/g, ' ').trim();
                "#,
                vec![],
            )
            .await;
        name.as_str().unwrap_or_default().to_owned()
    }

    /// A phone-sized window (390×844) from now on.
    pub async fn set_mobile(&self) {
        self.resize(PHONE.0, PHONE.1).await;
    }

    /// The desktop window (1280×900) again.
    pub async fn set_desktop(&self) {
        self.resize(DESKTOP.0, DESKTOP.1).await;
    }

    /// The inner width of the page's window, in CSS pixels.
    pub async fn viewport_width(&self) -> u64 {
        self.script("return window.innerWidth", vec![])
            .await
            .as_u64()
            .expect("a width")
    }

    /// Ends the browser's session cleanly (dropping it also ends it).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("resize to {width}x{height}: {e}"));
    }

    /// Runs `script` in the page; its answer.
    async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script in {}: {e}", self.base))
    }

    /// Waits until the page is loaded and htmx is neither requesting nor
    /// swapping a part.
    async fn settle(&self, what: &str) {
        let start = Instant::now();
        loop {
            let ready = self
                .client
                .execute(
                    "return document.readyState === 'complete' && !document.querySelector(\
                     '.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')",
                    vec![],
                )
                .await;
            // A navigation may still be replacing the document.
            if let Ok(Value::Bool(true)) = ready {
                return;
            }
            if start.elapsed() > PATIENCE {
                panic!("{what}: the page never settled ({ready:?})");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The visible control that `name` designates: a field (`kind`
    /// "field") by its label, or a button or link ("action") by its text.
    async fn control(&self, kind: &str, name: &str) -> Element {
        let found = self
            .script(
                r#"
                const [kind, wanted] = arguments;
                const norm = s => (s || '').replace(/\s+/g, ' ').trim();
                const loose = s => norm(s).replace(/\s*[:*]+$/, '').toLowerCase();
                const shown = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
                // A label's own words, without the text of a control inside it.
                const labelText = l => {
                    const c = l.cloneNode(true);
                    c.querySelectorAll('input, select, textarea, button').forEach(x => x.remove());
                    return c.textContent;
                };
                const pick = (pairs) => {
                    for (const match of [(t) => norm(t) === norm(wanted), (t) => loose(t) === loose(wanted)]) {
                        const hits = pairs.filter(([t, e]) => e && match(t));
                        const visible = hits.filter(([, e]) => shown(e));
                        if (visible.length) return visible[0][1];
                        if (hits.length) return hits[0][1];
                    }
                    return null;
                };
                let found = null, known = [];
                if (kind === 'field') {
                    const labels = [...document.querySelectorAll('label')]
                        .map(l => [labelText(l), l.control]);
                    const fields = [...document.querySelectorAll('input, select, textarea')];
                    found = pick(labels)
                        || pick(fields.map(f => [f.getAttribute('aria-label'), f]))
                        || fields.find(f => f.name === wanted || f.id === wanted) || null;
                    known = labels.map(([t]) => norm(t)).concat(fields.map(f => f.name));
                } else {
                    const actions = [...document.querySelectorAll(
                        'button, a[href], input[type=submit], input[type=button], [role=button]')];
                    const texts = actions.map(a => [
                        a.matches('input') ? a.value : (a.innerText || a.textContent), a]);
                    found = pick(texts) || pick(actions.map(a => [a.getAttribute('aria-label'), a]));
                    known = texts.map(([t]) => norm(t));
                }
                return found ? { found } : { known: [...new Set(known)].filter(Boolean) };
                "#,
                vec![json!(kind), json!(name)],
            )
            .await;
        match self.element(&found["found"]) {
            Some(element) => element,
            None => panic!(
                "no {kind} {name:?} on {}; there are: {}",
                self.path().await,
                found["known"]
            ),
        }
    }

    /// The element a script returned (WebDriver's `{"element-6066-...":
    /// id}`), if it returned one.
    fn element(&self, returned: &Value) -> Option<Element> {
        match returned.as_object()?.values().next()? {
            Value::String(id) => Some(Element::from_element_id(
                self.client.clone(),
                ElementRef::from(id.clone()),
            )),
            _ => None,
        }
    }

    /// Finds the element `css` selects, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css:?} on {}: {e}", self.base))
    }
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Where screenshots go: `$CARGO_TARGET_DIR/console-screenshots`, or the
/// workspace's `target/console-screenshots`.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("console-screenshots")
}

/// Whether this run is CI's, where a missing browser is a failure.
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The browser and its driver, when both are installed; otherwise a
/// `SKIPPED` line (a developer's machine) or a panic (CI).
fn installed() -> Option<(PathBuf, PathBuf)> {
    let path = |var: &str, default: &str| {
        std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
    };
    let chromium = path("LICENTIA_CHROMIUM", CHROMIUM);
    let chromedriver = path("LICENTIA_CHROMEDRIVER", CHROMEDRIVER);
    let missing: Vec<String> = [&chromium, &chromedriver]
        .into_iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some((chromium, chromedriver));
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("a browser test")
        .to_owned();
    let why = format!(
        "{} missing; run scripts/install-browser.sh",
        missing.join(" and ")
    );
    assert!(!on_ci(), "{test} needs a browser on CI: {why}");
    // Past the test harness's capture, as PgDb's skip line.
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test} in Chromium ({why})");
    None
}

/// The session's capabilities: Debian's Chromium, headless, on a fresh
/// profile, with no traffic of its own (this machine's network refuses
/// it) and the options' language and scripts.
fn capabilities(
    chromium: &Path,
    profile: &Path,
    options: &Options,
) -> fantoccini::wd::Capabilities {
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        format!("--user-data-dir={}", profile.display()),
        format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
        format!("--lang={}", options.lang),
    ];
    if !options.javascript {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let caps = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "timeouts": { "pageLoad": PATIENCE.as_millis() as u64, "script": PATIENCE.as_millis() as u64 },
        "goog:chromeOptions": {
            "binary": chromium,
            "args": args,
            "prefs": { "intl.accept_languages": options.lang },
        },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// A chromedriver of this browser's own, in a process group of its own:
/// dropping it kills the group, Chromium's processes with it.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// Starts chromedriver on a port it chooses (`--port=0`: no race for a
    /// free port) and waits until it says which and answers `/status`.
    async fn spawn(chromedriver: &Path) -> Driver {
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(chromedriver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display()));
        let stdout = child.stdout.take().expect("chromedriver's stdout");
        let (tx, rx) = tokio::sync::oneshot::channel();
        // Reads the line that names the port, then drains the rest so the
        // driver never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            let mut said = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let port = line
                    .split("started successfully on port ")
                    .nth(1)
                    .and_then(|rest| rest.trim_end_matches('.').trim().parse::<u16>().ok());
                match (port, tx.take()) {
                    (Some(port), Some(tx)) => {
                        let _ = tx.send(Ok(port));
                    }
                    (_, unsent) => {
                        tx = unsent;
                        said.push(line);
                    }
                }
            }
            if let Some(tx) = tx {
                let _ = tx.send(Err(said.join("\n")));
            }
        });
        // The driver is owned from here: a panic below still kills it.
        let mut driver = Driver {
            child,
            url: String::new(),
        };
        let port = match tokio::time::timeout(PATIENCE, rx).await {
            Ok(Ok(Ok(port))) => port,
            Ok(Ok(Err(said))) => panic!("chromedriver stopped before listening:\n{said}"),
            Ok(Err(_)) => panic!("chromedriver stopped before listening"),
            Err(_) => panic!("chromedriver did not say its port within {PATIENCE:?}"),
        };
        driver.url = format!("http://127.0.0.1:{port}");
        driver.wait_ready().await;
        driver
    }

    /// Polls `/status` until the driver says it is ready.
    async fn wait_ready(&self) {
        let start = Instant::now();
        let status = format!("{}/status", self.url);
        let http = reqwest::Client::new();
        loop {
            let answer = match http.get(&status).send().await {
                Ok(resp) => resp.json::<Value>().await.ok(),
                Err(_) => None,
            };
            if answer.is_some_and(|a| a["value"]["ready"] == json!(true)) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "chromedriver at {} never became ready",
                self.url
            );
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
