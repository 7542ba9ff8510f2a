//! The console's words: one Fluent catalogue per language (`locales/`),
//! compiled into the binary, and the language a person reads — their
//! account's, or the first their browser asks for that the console speaks.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the fallback).
    En,
    /// French.
    Fr,
    /// German.
    De,
}

impl Lang {
    /// Every language, in the order of the language menu.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::De];

    /// Its ISO 639-1 code, as accounts store it and `<html lang>` says it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }

    /// The language of a code (`fr`, `fr-CH`, `de-AT`...), if spoken here.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first language of an `Accept-Language` header the console
    /// speaks, by the header's weights; English when none is.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut asked: Vec<(f32, Lang)> = accept_language
            .split(',')
            .take(16)
            .filter_map(|item| {
                let mut parts = item.split(';');
                let lang = Lang::from_code(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        // Stable: equal weights keep the browser's order.
        asked.sort_by(|a, b| b.0.total_cmp(&a.0));
        asked.first().map_or(Lang::En, |(_, l)| *l)
    }

    fn index(self) -> usize {
        self as usize
    }
}

type Bundle = FluentBundle<FluentResource>;

/// The catalogues, parsed once.
fn catalogues() -> &'static [Bundle; 3] {
    static CATALOGUES: OnceLock<[Bundle; 3]> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        [
            bundle(Lang::En, include_str!("../../locales/en.ftl")),
            bundle(Lang::Fr, include_str!("../../locales/fr.ftl")),
            bundle(Lang::De, include_str!("../../locales/de.ftl")),
        ]
    })
}

fn bundle(lang: Lang, source: &'static str) -> Bundle {
    let id: LanguageIdentifier = lang.code().parse().expect("a language code");
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: the pages are
    // left-to-right only, and the marks would end up in copied text.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("locales/{}.ftl: {errors:?}", lang.code()));
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("locales/{}.ftl: {errors:?}", lang.code()));
    bundle
}

/// Text in one language, for a page being drawn, with dates in the
/// reader's time zone.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
    /// The time zone dates are shown in.
    pub tz: chrono_tz::Tz,
}

impl Tr {
    /// `lang`, with dates in UTC.
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            tz: chrono_tz::UTC,
        }
    }

    /// The same, with dates in the time zone `name` (UTC when it is not one).
    pub fn in_zone(self, name: &str) -> Tr {
        Tr {
            tz: name.parse().unwrap_or(chrono_tz::UTC),
            ..self
        }
    }

    /// The message `id` (its English text when this language lacks it,
    /// the id itself when English does too: a test keeps both from
    /// happening).
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with a count (plurals choose their form from it).
    pub fn n(&self, id: &str, count: i64) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        self.format(id, Some(&args))
    }

    /// The message `id` with several arguments.
    pub fn args(&self, id: &str, args: &FluentArgs) -> String {
        self.format(id, Some(args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        for lang in [self.lang, Lang::En] {
            let bundle = &catalogues()[lang.index()];
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    /// A day as this language writes it, in the reader's time zone:
    /// 2027-01-31, 31/01/2027, 31.01.2027.
    pub fn date(&self, unix: i64) -> String {
        let Some(at) = chrono::DateTime::from_timestamp(unix, 0) else {
            return String::new();
        };
        let at = at.with_timezone(&self.tz);
        let format = match self.lang {
            Lang::En => "%Y-%m-%d",
            Lang::Fr => "%d/%m/%Y",
            Lang::De => "%d.%m.%Y",
        };
        at.format(format).to_string()
    }

    /// A moment, to the minute, in the reader's time zone (named).
    pub fn time(&self, unix: i64) -> String {
        let Some(at) = chrono::DateTime::from_timestamp(unix, 0) else {
            return String::new();
        };
        let at = at.with_timezone(&self.tz);
        format!("{} {}", self.date(unix), at.format("%H:%M %Z"))
    }
}

/// Every message id of a catalogue, for the completeness test.
#[cfg(test)]
fn ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-', '.', '*', '[', '}']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_s_first_spoken_language_wins() {
        assert_eq!(Lang::negotiate("de-CH,de;q=0.9,en;q=0.8"), Lang::De);
        assert_eq!(Lang::negotiate("it,fr;q=0.7,en;q=0.5"), Lang::Fr);
        assert_eq!(Lang::negotiate("en;q=0.2, fr-FR;q=0.9"), Lang::Fr);
        assert_eq!(Lang::negotiate("ja,zh"), Lang::En);
        assert_eq!(Lang::negotiate("fr;q=0"), Lang::En);
        assert_eq!(Lang::negotiate(";;,=,q=,"), Lang::En);
    }

    #[test]
    fn no_catalogue_says_one_thing_twice() {
        for lang in Lang::ALL {
            // Building the bundle refuses an id given twice.
            let _ = Tr::new(lang).t("nav-dashboard");
        }
        for source in [
            include_str!("../../locales/en.ftl"),
            include_str!("../../locales/fr.ftl"),
            include_str!("../../locales/de.ftl"),
        ] {
            let all = ids(source);
            let mut unique = all.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(all.len(), unique.len(), "an id is given twice");
        }
    }

    #[test]
    fn every_language_says_everything_english_says() {
        let en = ids(include_str!("../../locales/en.ftl"));
        assert!(en.len() > 20, "the English catalogue is read");
        for (code, source) in [
            ("fr", include_str!("../../locales/fr.ftl")),
            ("de", include_str!("../../locales/de.ftl")),
        ] {
            let theirs = ids(source);
            let missing: Vec<&String> = en.iter().filter(|id| !theirs.contains(id)).collect();
            assert!(missing.is_empty(), "locales/{code}.ftl lacks {missing:?}");
            let extra: Vec<&String> = theirs.iter().filter(|id| !en.contains(id)).collect();
            assert!(
                extra.is_empty(),
                "locales/{code}.ftl has ids English lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn every_message_a_template_asks_for_exists() {
        let en = ids(include_str!("../../locales/en.ftl"));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/console");
        let mut asked = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("template");
            for call in ["t.t(\"", "t.t1(\"", "t.n(\""] {
                for part in text.split(call).skip(1) {
                    asked.push(part.split('"').next().unwrap_or_default().to_owned());
                }
            }
        }
        assert!(!asked.is_empty(), "the templates are read");
        let missing: Vec<&String> = asked.iter().filter(|id| !en.contains(id)).collect();
        assert!(missing.is_empty(), "locales/en.ftl lacks {missing:?}");
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let day = 1_801_353_600; // 2027-01-31
        assert_eq!(Tr::new(Lang::En).date(day), "2027-01-31");
        assert_eq!(Tr::new(Lang::Fr).date(day), "31/01/2027");
        assert_eq!(Tr::new(Lang::De).date(day), "31.01.2027");
    }

    #[test]
    fn moments_read_in_the_reader_s_time_zone() {
        let late = 1_801_436_400; // 2027-01-31 23:00 UTC
        assert_eq!(Tr::new(Lang::En).time(late), "2027-01-31 23:00 UTC");
        let paris = Tr::new(Lang::Fr).in_zone("Europe/Paris");
        assert_eq!(
            paris.date(late),
            "01/02/2027",
            "already the next day in Paris"
        );
        assert_eq!(paris.time(late), "01/02/2027 00:00 CET");
        assert_eq!(
            Tr::new(Lang::De).in_zone("Mars/Olympus").time(late),
            "31.01.2027 23:00 UTC"
        );
    }
}
