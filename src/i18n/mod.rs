//! UI languages: the twelve locales of the spec, their negotiation, and their messages
//! (Fluent files under `locales/`, checked for completeness by `build.rs`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

/// One of the twelve UI languages. The code is the platform's (`kz` for Kazakh); the
/// tag is the BCP 47 one used for `lang` and `Intl` (`kk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    Kz,
    En,
    Ru,
    My,
    De,
    Es,
    Fa,
    Fr,
    It,
    Ja,
    Ko,
    Pt,
}

impl Locale {
    /// In the order of the spec's table, which is the default switcher order.
    pub const ALL: [Locale; 12] = [
        Locale::Kz,
        Locale::En,
        Locale::Ru,
        Locale::My,
        Locale::De,
        Locale::Es,
        Locale::Fa,
        Locale::Fr,
        Locale::It,
        Locale::Ja,
        Locale::Ko,
        Locale::Pt,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Kz => "kz",
            Locale::En => "en",
            Locale::Ru => "ru",
            Locale::My => "my",
            Locale::De => "de",
            Locale::Es => "es",
            Locale::Fa => "fa",
            Locale::Fr => "fr",
            Locale::It => "it",
            Locale::Ja => "ja",
            Locale::Ko => "ko",
            Locale::Pt => "pt",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::Kz => "kk",
            other => other.code(),
        }
    }

    /// The language's name in itself, as the switcher shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Kz => "Қазақша",
            Locale::En => "English",
            Locale::Ru => "Русский",
            Locale::My => "မြန်မာ",
            Locale::De => "Deutsch",
            Locale::Es => "Español",
            Locale::Fa => "فارسی",
            Locale::Fr => "Français",
            Locale::It => "Italiano",
            Locale::Ja => "日本語",
            Locale::Ko => "한국어",
            Locale::Pt => "Português",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Locale::Fa
    }

    pub fn dir(self) -> &'static str {
        if self.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// Parses a platform code or a BCP 47 tag: case-insensitive, `kk` as an alias of
    /// `kz`, region and script subtags ignored (`pt-BR` is `pt`).
    pub fn parse(code: &str) -> Option<Locale> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        if primary == "kk" {
            return Some(Locale::Kz);
        }
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn source(self) -> &'static str {
        match self {
            Locale::Kz => include_str!("locales/kz.ftl"),
            Locale::En => include_str!("locales/en.ftl"),
            Locale::Ru => include_str!("locales/ru.ftl"),
            Locale::My => include_str!("locales/my.ftl"),
            Locale::De => include_str!("locales/de.ftl"),
            Locale::Es => include_str!("locales/es.ftl"),
            Locale::Fa => include_str!("locales/fa.ftl"),
            Locale::Fr => include_str!("locales/fr.ftl"),
            Locale::It => include_str!("locales/it.ftl"),
            Locale::Ja => include_str!("locales/ja.ftl"),
            Locale::Ko => include_str!("locales/ko.ftl"),
            Locale::Pt => include_str!("locales/pt.ftl"),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language offered in the switcher, with the code as the host listed it (`kk` stays
/// `kk` in `flow:localechange`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub locale: Locale,
    pub code: String,
}

/// The languages to offer: the host's `localeList` with unknown codes and repeats
/// dropped, or all twelve. Returns the unknown codes too, for the console warning.
pub fn offered(list: Option<&[String]>) -> (Vec<Offered>, Vec<String>) {
    let Some(list) = list else {
        let all = Locale::ALL
            .into_iter()
            .map(|locale| Offered {
                locale,
                code: locale.code().to_owned(),
            })
            .collect();
        return (all, Vec::new());
    };
    let mut out: Vec<Offered> = Vec::new();
    let mut unknown = Vec::new();
    for code in list {
        match Locale::parse(code) {
            Some(locale) if out.iter().all(|o| o.locale != locale) => out.push(Offered {
                locale,
                code: code.clone(),
            }),
            Some(_) => {}
            None => unknown.push(code.clone()),
        }
    }
    if out.is_empty() {
        return (offered(None).0, unknown);
    }
    (out, unknown)
}

/// Picks the UI language: the `locale` option, then the session's locale, then the
/// browser's languages, then English — each only if offered; if English is not offered
/// either, the first offered language.
pub fn negotiate(
    option: Option<&str>,
    session: Option<&str>,
    browser: &[String],
    offered: &[Offered],
) -> Locale {
    let is_offered = |l: &Locale| offered.iter().any(|o| o.locale == *l);
    option
        .into_iter()
        .chain(session)
        .chain(browser.iter().map(String::as_str))
        .filter_map(Locale::parse)
        .chain([Locale::En])
        .find(is_offered)
        .or_else(|| offered.first().map(|o| o.locale))
        .unwrap_or(Locale::En)
}

thread_local! {
    static CATALOG: RefCell<Catalog> = RefCell::new(Catalog::default());
}

/// The message `id` in `locale`, from the catalog shared by every widget on the page.
pub fn message(locale: Locale, id: &str) -> String {
    CATALOG.with(|c| c.borrow_mut().message(locale, id, None))
}

/// The message `id` with its `{ $name }` placeables filled. Numbers come formatted
/// by the caller (with `Intl`, in the locale's own digits).
pub fn message_with(locale: Locale, id: &str, args: &[(&'static str, String)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    CATALOG.with(|c| c.borrow_mut().message(locale, id, Some(&fluent_args)))
}

/// Messages of every locale used so far, parsed on first use.
#[derive(Default)]
pub struct Catalog {
    bundles: HashMap<Locale, FluentBundle<FluentResource>>,
}

impl Catalog {
    /// The message `id` in `locale`. Falls back to the id itself, which `build.rs` and the
    /// tests make unreachable for shipped keys.
    pub fn message(&mut self, locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundles.entry(locale).or_insert_with(|| bundle(locale));
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

fn bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new(vec![unic_langid::LanguageIdentifier::default()]);
    // Bidi isolation marks would show as stray characters in plain-text attributes.
    bundle.set_use_isolating(false);
    // The files are compiled in and checked by tests: a parse error keeps what did parse.
    let resource = FluentResource::try_new(locale.source().to_owned()).unwrap_or_else(|(r, _)| r);
    // Ids are unique per file (checked by tests), so adding cannot collide.
    let _ = bundle.add_resource(resource);
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_codes_tags_and_aliases() {
        assert_eq!(Locale::parse("kz"), Some(Locale::Kz));
        assert_eq!(Locale::parse("kk"), Some(Locale::Kz));
        assert_eq!(Locale::parse("kk-KZ"), Some(Locale::Kz));
        assert_eq!(Locale::parse("pt-BR"), Some(Locale::Pt));
        assert_eq!(Locale::parse("FA"), Some(Locale::Fa));
        assert_eq!(Locale::parse("zz"), None);
        assert_eq!(Locale::parse(""), None);
    }

    #[test]
    fn negotiation_follows_precedence_within_offered() {
        let (all, _) = offered(None);
        assert_eq!(negotiate(Some("ru"), Some("de"), &[], &all), Locale::Ru);
        assert_eq!(negotiate(Some("zz"), Some("de"), &[], &all), Locale::De);
        assert_eq!(
            negotiate(None, None, &strings(&["xx", "ja-JP"]), &all),
            Locale::Ja
        );
        assert_eq!(negotiate(None, None, &[], &all), Locale::En);
        let (few, unknown) = offered(Some(&strings(&["ru", "kk", "zz", "ru"])));
        assert_eq!(unknown, strings(&["zz"]));
        assert_eq!(few.len(), 2);
        assert_eq!(few[1].code, "kk");
        assert_eq!(negotiate(Some("de"), None, &[], &few), Locale::Ru);
    }

    #[test]
    fn every_locale_has_every_message() {
        let mut catalog = Catalog::default();
        let ids: Vec<String> = include_str!("locales/en.ftl")
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.to_owned()))
            .collect();
        assert!(!ids.is_empty());
        for locale in Locale::ALL {
            let resource = FluentResource::try_new(locale.source().to_owned());
            assert!(resource.is_ok(), "{locale}: Fluent syntax error");
            for id in &ids {
                let text = catalog.message(locale, id, None);
                assert_ne!(&text, id, "{locale}: `{id}` missing");
                assert!(!text.trim().is_empty(), "{locale}: `{id}` empty");
            }
        }
    }
}
