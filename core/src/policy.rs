//! Which factors a room or session requires, as a small expression such as
//! `token & location & (radio | face)`.
//!
//! Grammar (`&`/`&&`/`and` bind tighter than `|`/`||`/`or`; words are
//! case-insensitive; parentheses group):
//!
//! ```text
//! policy := any
//! any    := all (("|" | "||" | "or") all)*
//! all    := atom (("&" | "&&" | "and") atom)*
//! atom   := factor | "(" any ")"
//! factor := "token" | "location" | "radio" | "face"
//! ```
//!
//! A policy is judged with three-valued logic over [`Status`]: `&` takes the
//! worst of its parts, `|` the best. So a required factor that is doubtful
//! makes the whole doubtful (review), and a factor that is not required, or
//! is one side of an `|` whose other side passes, cannot reject a claim.
//! It serialises as its canonical text.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One kind of evidence a claim can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// The rotating QR payload or the typed OTP.
    Token,
    /// The GPS fix against the room's geofence.
    Location,
    /// Wi-Fi access points and BLE beacons seen.
    Radio,
    /// The face match score against the enrolled template.
    Face,
}

impl Factor {
    /// All factors, in report order.
    pub const ALL: [Self; 4] = [Self::Token, Self::Location, Self::Radio, Self::Face];

    /// The name used in policies and the API.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Location => "location",
            Self::Radio => "radio",
            Self::Face => "face",
        }
    }

    fn parse_word(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of judging one factor, or a whole policy. Ordered from worst
/// to best, which is what the policy's `&` (minimum) and `|` (maximum) use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The evidence is missing or contradicts presence.
    Fail,
    /// The evidence neither proves nor disproves presence: a person decides.
    Doubtful,
    /// The evidence shows presence.
    Pass,
}

/// A node of a policy expression, kept in a normal form: no `All` directly
/// inside an `All`, no `Any` directly inside an `Any`, no one-part groups.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// This factor must pass.
    Factor(Factor),
    /// Every part must pass.
    All(Vec<Requirement>),
    /// At least one part must pass.
    Any(Vec<Requirement>),
}

impl Requirement {
    /// Every part must pass (flattened, normalised).
    #[must_use]
    pub fn all(parts: Vec<Self>) -> Self {
        Self::group(parts, true)
    }

    /// At least one part must pass (flattened, normalised).
    #[must_use]
    pub fn any(parts: Vec<Self>) -> Self {
        Self::group(parts, false)
    }

    fn group(parts: Vec<Self>, all: bool) -> Self {
        let mut flat = Vec::with_capacity(parts.len());
        for part in parts {
            match (part, all) {
                (Self::All(inner), true) | (Self::Any(inner), false) => flat.extend(inner),
                (other, _) => flat.push(other),
            }
        }
        if flat.len() == 1 {
            return flat.pop().unwrap_or(Self::Factor(Factor::Token));
        }
        if all {
            Self::All(flat)
        } else {
            Self::Any(flat)
        }
    }

    /// Judges the expression, given each factor's status.
    pub fn judge(&self, status_of: &impl Fn(Factor) -> Status) -> Status {
        match self {
            Self::Factor(f) => status_of(*f),
            Self::All(parts) => parts
                .iter()
                .map(|p| p.judge(status_of))
                .min()
                .unwrap_or(Status::Pass),
            Self::Any(parts) => parts
                .iter()
                .map(|p| p.judge(status_of))
                .max()
                .unwrap_or(Status::Fail),
        }
    }

    fn mentions(&self, factor: Factor) -> bool {
        match self {
            Self::Factor(f) => *f == factor,
            Self::All(parts) | Self::Any(parts) => parts.iter().any(|p| p.mentions(factor)),
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, nested: bool) -> fmt::Result {
        let (parts, sep) = match self {
            Self::Factor(factor) => return f.write_str(factor.as_str()),
            Self::All(parts) => (parts, " & "),
            Self::Any(parts) => (parts, " | "),
        };
        if nested {
            f.write_str("(")?;
        }
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            part.write(f, true)?;
        }
        if nested {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A room's or session's rule of which factors a claim needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy(Requirement);

impl Policy {
    /// `token & location & (radio | face)`: the school-wide default.
    #[must_use]
    pub fn standard() -> Self {
        Self(Requirement::all(vec![
            Requirement::Factor(Factor::Token),
            Requirement::Factor(Factor::Location),
            Requirement::any(vec![
                Requirement::Factor(Factor::Radio),
                Requirement::Factor(Factor::Face),
            ]),
        ]))
    }

    /// A policy from an already built expression.
    #[must_use]
    pub const fn new(requirement: Requirement) -> Self {
        Self(requirement)
    }

    /// The expression.
    #[must_use]
    pub const fn requirement(&self) -> &Requirement {
        &self.0
    }

    /// Whether the policy mentions `factor` at all.
    #[must_use]
    pub fn mentions(&self, factor: Factor) -> bool {
        self.0.mentions(factor)
    }

    /// Judges the policy, given each factor's status.
    pub fn judge(&self, status_of: impl Fn(Factor) -> Status) -> Status {
        self.0.judge(&status_of)
    }

    /// Parses a policy.
    ///
    /// # Errors
    /// A [`PolicyError`] with the position and what was expected there.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let mut parser = Parser::new(text)?;
        let requirement = parser.any(0)?;
        match parser.peek() {
            (_, Tok::End) => Ok(Self(requirement)),
            (pos, tok) => Err(PolicyError::new(pos, "'&', '|' or the end", tok)),
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::standard()
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, false)
    }
}

impl FromStr for Policy {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Policy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a policy text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy error at position {position}: expected {expected}, found {found}")]
pub struct PolicyError {
    /// 1-based character position of the problem.
    pub position: usize,
    /// What the parser expected there.
    pub expected: &'static str,
    /// What it found instead.
    pub found: String,
}

impl PolicyError {
    fn new(position: usize, expected: &'static str, found: Tok<'_>) -> Self {
        Self {
            position,
            expected,
            found: found.describe(),
        }
    }
}

const EXPECTED_ATOM: &str = "a factor (token, location, radio, face) or '('";
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    And,
    Or,
    Open,
    Close,
    End,
}

impl Tok<'_> {
    fn describe(self) -> String {
        match self {
            Self::Word(w) => format!("'{w}'"),
            Self::And => "'&'".into(),
            Self::Or => "'|'".into(),
            Self::Open => "'('".into(),
            Self::Close => "')'".into(),
            Self::End => "the end".into(),
        }
    }
}

struct Parser<'a> {
    toks: Vec<(usize, Tok<'a>)>,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Self, PolicyError> {
        let mut toks = Vec::new();
        let mut chars = text.char_indices().peekable();
        let pos_of = |byte: usize| text[..byte].chars().count() + 1;
        while let Some((i, c)) = chars.next() {
            let tok = match c {
                c if c.is_whitespace() => continue,
                '&' | '|' => {
                    if chars.peek().map(|&(_, n)| n) == Some(c) {
                        chars.next();
                    }
                    if c == '&' {
                        Tok::And
                    } else {
                        Tok::Or
                    }
                }
                '(' => Tok::Open,
                ')' => Tok::Close,
                c if c.is_ascii_alphabetic() => {
                    let mut end = i + c.len_utf8();
                    while let Some(&(j, n)) = chars.peek() {
                        if n.is_ascii_alphanumeric() || n == '_' {
                            end = j + n.len_utf8();
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    let word = &text[i..end];
                    if word.eq_ignore_ascii_case("and") {
                        Tok::And
                    } else if word.eq_ignore_ascii_case("or") {
                        Tok::Or
                    } else {
                        Tok::Word(word)
                    }
                }
                other => {
                    return Err(PolicyError {
                        position: pos_of(i),
                        expected: "a factor, '&', '|', '(' or ')'",
                        found: format!("'{other}'"),
                    })
                }
            };
            toks.push((pos_of(i), tok));
        }
        toks.push((text.chars().count() + 1, Tok::End));
        Ok(Self { toks, at: 0 })
    }

    fn peek(&self) -> (usize, Tok<'a>) {
        self.toks[self.at.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> (usize, Tok<'a>) {
        let t = self.peek();
        self.at += 1;
        t
    }

    fn any(&mut self, depth: usize) -> Result<Requirement, PolicyError> {
        let mut parts = vec![self.all(depth)?];
        while self.peek().1 == Tok::Or {
            self.bump();
            parts.push(self.all(depth)?);
        }
        Ok(Requirement::any(parts))
    }

    fn all(&mut self, depth: usize) -> Result<Requirement, PolicyError> {
        let mut parts = vec![self.atom(depth)?];
        while self.peek().1 == Tok::And {
            self.bump();
            parts.push(self.atom(depth)?);
        }
        Ok(Requirement::all(parts))
    }

    fn atom(&mut self, depth: usize) -> Result<Requirement, PolicyError> {
        match self.bump() {
            (pos, Tok::Word(w)) => {
                Factor::parse_word(w)
                    .map(Requirement::Factor)
                    .ok_or_else(|| {
                        PolicyError::new(
                            pos,
                            "a factor (token, location, radio, face)",
                            Tok::Word(w),
                        )
                    })
            }
            (pos, Tok::Open) => {
                if depth >= MAX_DEPTH {
                    return Err(PolicyError::new(pos, "fewer nested parentheses", Tok::Open));
                }
                let inner = self.any(depth + 1)?;
                match self.bump() {
                    (_, Tok::Close) => Ok(inner),
                    (pos, tok) => Err(PolicyError::new(pos, "'&', '|' or ')'", tok)),
                }
            }
            (pos, tok) => Err(PolicyError::new(pos, EXPECTED_ATOM, tok)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(text: &str) -> Policy {
        Policy::parse(text).unwrap()
    }

    #[test]
    fn symbols_and_words_mean_the_same() {
        let a = p("token & location & (radio | face)");
        assert_eq!(a, p("token AND location AND (radio OR face)"));
        assert_eq!(a, p("Token && Location and (Radio || face)"));
        assert_eq!(a, Policy::standard());
        assert_eq!(a.to_string(), "token & location & (radio | face)");
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let q = p("token | radio & face");
        assert_eq!(q.to_string(), "token | (radio & face)");
        let status = |f: Factor| {
            if f == Factor::Token {
                Status::Pass
            } else {
                Status::Fail
            }
        };
        assert_eq!(q.judge(status), Status::Pass);
        assert_eq!(p("(token | radio) & face").judge(status), Status::Fail);
    }

    #[test]
    fn three_valued_judgement() {
        let q = Policy::standard();
        let judge = |token, location, radio, face| {
            q.judge(|f| match f {
                Factor::Token => token,
                Factor::Location => location,
                Factor::Radio => radio,
                Factor::Face => face,
            })
        };
        use Status::{Doubtful as D, Fail as F, Pass as P};
        assert_eq!(judge(P, P, P, F), P);
        assert_eq!(judge(P, P, F, D), D);
        assert_eq!(judge(P, D, P, P), D);
        assert_eq!(judge(F, D, P, P), F);
        assert!(q.mentions(Factor::Face));
        assert!(!p("token & location").mentions(Factor::Face));
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        let e = Policy::parse("token & (radio | )").unwrap_err();
        assert_eq!(e.position, 18);
        assert_eq!(e.expected, EXPECTED_ATOM);
        assert_eq!(e.found, "')'");
        let e = Policy::parse("token & gps").unwrap_err();
        assert_eq!((e.position, e.found.as_str()), (9, "'gps'"));
        assert!(e
            .to_string()
            .contains("expected a factor (token, location, radio, face)"));
        let e = Policy::parse("(token & radio").unwrap_err();
        assert_eq!(
            (e.position, e.expected, e.found.as_str()),
            (15, "'&', '|' or ')'", "the end")
        );
        let e = Policy::parse("token radio").unwrap_err();
        assert_eq!((e.position, e.expected), (7, "'&', '|' or the end"));
        let e = Policy::parse("token + radio").unwrap_err();
        assert_eq!((e.position, e.found.as_str()), (7, "'+'"));
        assert_eq!(Policy::parse("").unwrap_err().found, "the end");
        let deep = format!("{}token{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(
            Policy::parse(&deep).unwrap_err().expected,
            "fewer nested parentheses"
        );
    }

    #[test]
    fn serialises_as_its_text() {
        let json = serde_json::to_string(&Policy::standard()).unwrap();
        assert_eq!(json, "\"token & location & (radio | face)\"");
        assert_eq!(
            serde_json::from_str::<Policy>(&json).unwrap(),
            Policy::standard()
        );
        assert!(serde_json::from_str::<Policy>("\"token &\"").is_err());
    }

    fn arb_requirement() -> impl Strategy<Value = Requirement> {
        let leaf = prop::sample::select(Factor::ALL.to_vec()).prop_map(Requirement::Factor);
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(Requirement::all),
                prop::collection::vec(inner, 1..4).prop_map(Requirement::any),
            ]
        })
    }

    proptest! {
        #[test]
        fn print_then_parse_round_trips(req in arb_requirement()) {
            let policy = Policy::new(req);
            let text = policy.to_string();
            let back = Policy::parse(&text).unwrap();
            prop_assert_eq!(&back, &policy);
            prop_assert_eq!(back.to_string(), text);
        }
    }
}
