//! From ranked per-character OCR alternatives to the cheapest reading whose every check
//! digit holds, or nothing.
//!
//! Each position is first restricted to what its field may hold (digits in dates, letters
//! in names…), mapping look-alikes (`O`→`0`, `5`→`S`…) at an extra cost. Then a small
//! dynamic programme per check digit, over (changes used, residue of the field's digit,
//! residue of the composite), finds the two cheapest combinations of alternatives that
//! satisfy every digit, with a hard cap on how many characters may differ from their
//! best allowed reading: a check digit is one chance in ten, so every change spends
//! evidence. When the runner-up is nearly as cheap as the winner the read is ambiguous
//! and nothing is reported.

use super::parse::{self, char_value, CheckField, Format, NameLayout, Parsed, Span, WEIGHTS};
use crate::date::Date;

/// The OCR's ranked guesses for one character position.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Candidates {
    /// Best first; costs are the OCR's (negative log-probabilities), lower is better;
    /// bytes from `A–Z 0–9 <`. Anything else is ignored.
    pub alternatives: Vec<(u8, f32)>,
}

/// Extra cost of a look-alike the field's type demands (`O` read in a date is `0`).
pub const CONFUSABLE_COST: f32 = 1.0;

/// Extra cost of a look-alike the OCR did not rank where what it read is allowed too
/// (`O` or `0` in a document number): only a check digit can argue for it, so it must
/// be dearer than an alternative the OCR did see.
pub const LOOK_ALIKE_COST: f32 = 2.5;

/// An alternative more than this much costlier than the best allowed one at its
/// position is never used: changing a confident character to satisfy a check digit is
/// how false reads are made.
pub const MAX_CHANGE_COST: f32 = 3.0;

/// The winning reading must be at least this much cheaper (e ≈ 2.7 times likelier)
/// than any other reading that also satisfies every check digit.
pub const AMBIGUITY_MARGIN: f32 = 1.0;

/// Alternatives kept per position.
const MAX_OPTIONS: usize = 3;
/// Characters one check digit may correct within the field it protects (the search
/// enumerates single and paired changes, so this is 2 by construction).
const MAX_CHANGES_PER_CHECK: usize = 2;
/// Characters the whole zone may differ from its best allowed reading.
const MAX_CHANGES: usize = 3;

/// Returns the lowest-cost reading that `parse` accepts with every check digit holding,
/// trying each format that fits the line count and lengths; `None` when no reading
/// within the change budget is valid, or when two differ by less than
/// `AMBIGUITY_MARGIN`.
pub fn repair(lines: &[Vec<Candidates>], today: Date) -> Option<Parsed> {
    let width = lines.first()?.len();
    if lines.iter().any(|line| line.len() != width) {
        return None;
    }
    let cells: Vec<&Candidates> = lines.iter().flatten().collect();
    let mut solutions: Vec<Solution> = Format::ALL
        .iter()
        .filter(|format| format.line_count() == lines.len() && format.line_length() == width)
        .flat_map(|&format| {
            let base = Plan::new(format);
            let long = base.long_number_variants(format, &cells);
            std::iter::once(base)
                .chain(long)
                .filter_map(|plan| plan.solve(format, &cells, today))
                .collect::<Vec<_>>()
        })
        .collect();
    solutions.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    let (best, others) = solutions.split_first()?;
    let close = best.cost + AMBIGUITY_MARGIN;
    let contested = best.runner_up.is_some_and(|cost| cost < close)
        || others
            .iter()
            .any(|other| other.cost < close && other.parsed.lines != best.parsed.lines);
    (!contested).then(|| best.parsed.clone())
}

/// One plan's answer: its cheapest valid reading, and what the next one would cost.
struct Solution {
    cost: f32,
    runner_up: Option<f32>,
    parsed: Parsed,
}

// ---- What each position may hold. ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Fixed by the format (`V` of a visa, `IDFRA`, a long number's `<`).
    OneOf(&'static [u8]),
    /// Names, country codes and the document code's second letter.
    Letter,
    /// Document numbers and optional data, fillers included.
    Alnum,
    /// Alphanumeric without fillers: a long document number's continuation.
    Solid,
    Digit,
    /// The TD3 personal-number check digit, which may be `<` when the number is empty.
    DigitOrFiller,
    /// A date digit no greater than the bound (tens of month ≤ 1, of day ≤ 3), or `<`
    /// for a part the issuer does not know.
    DateDigit(u8),
    Sex,
}

impl Class {
    fn allows(self, c: u8) -> bool {
        let letter = c.is_ascii_uppercase();
        let digit = c.is_ascii_digit();
        match self {
            Class::OneOf(set) => set.contains(&c),
            Class::Letter => letter || c == b'<',
            Class::Alnum => letter || digit || c == b'<',
            Class::Solid => letter || digit,
            Class::Digit => digit,
            Class::DigitOrFiller => digit || c == b'<',
            Class::DateDigit(max) => c == b'<' || (digit && c - b'0' <= max),
            Class::Sex => matches!(c, b'M' | b'F' | b'X' | b'<'),
        }
    }

    /// OCR-B look-alikes. `K` for `<` is left to `clear_filler_runs`: K is worth 20,
    /// the same as `<` modulo 10, so no check digit could ever choose between them.
    fn look_alikes(c: u8) -> &'static [u8] {
        match c {
            b'0' => b"O",
            b'O' | b'D' | b'Q' => b"0",
            b'1' => b"I",
            b'I' => b"1",
            b'5' => b"S",
            b'S' => b"5",
            b'8' => b"B",
            b'B' => b"8",
            b'2' => b"Z",
            b'Z' => b"2",
            b'6' => b"G",
            b'G' => b"6",
            _ => b"",
        }
    }
}

/// The OCR-B look-alikes of `c` (`8` for `B`, `0` for `O`, …).
pub(crate) fn look_alikes(c: u8) -> &'static [u8] {
    Class::look_alikes(c)
}

/// The few readings considered at one position, cheapest first.
#[derive(Debug, Clone, Copy)]
struct Options {
    items: [(u8, f32); MAX_OPTIONS],
    len: usize,
}

impl Options {
    fn build(candidates: &Candidates, class: Class) -> Options {
        let mut options = Options {
            items: [(b'<', 0.0); MAX_OPTIONS],
            len: 0,
        };
        for &(c, cost) in &candidates.alternatives {
            if !cost.is_finite() {
                continue;
            }
            let cost = cost.max(0.0);
            let allowed = class.allows(c);
            if allowed {
                options.offer(c, cost);
            }
            let extra = if allowed {
                LOOK_ALIKE_COST
            } else {
                CONFUSABLE_COST
            };
            for &alike in Class::look_alikes(c) {
                if class.allows(alike) {
                    options.offer(alike, cost + extra);
                }
            }
        }
        if let Some(&(_, best)) = options.as_slice().first() {
            let keep = options
                .as_slice()
                .iter()
                .take_while(|&&(_, cost)| cost <= best + MAX_CHANGE_COST)
                .count();
            options.len = keep;
        }
        options
    }

    fn offer(&mut self, c: u8, cost: f32) {
        let len = self.len;
        let Some(live) = self.items.get_mut(..len) else {
            return;
        };
        if let Some(known) = live.iter_mut().find(|(known, _)| *known == c) {
            known.1 = known.1.min(cost);
        } else if len < MAX_OPTIONS {
            if let Some(slot) = self.items.get_mut(len) {
                *slot = (c, cost);
                self.len += 1;
            }
        } else if let Some(worst) = live.last_mut() {
            if cost < worst.1 {
                *worst = (c, cost);
            }
        }
        // Keep cheapest first: one pass of insertion sort over at most three items.
        for i in 1..self.len {
            let mut j = i;
            while j > 0 {
                match (self.items.get(j - 1), self.items.get(j)) {
                    (Some(a), Some(b)) if b.1 < a.1 => self.items.swap(j - 1, j),
                    _ => break,
                }
                j -= 1;
            }
        }
    }

    fn as_slice(&self) -> &[(u8, f32)] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    fn get(&self, k: usize) -> Option<(u8, f32)> {
        self.as_slice().get(k).copied()
    }

    fn remove(&mut self, c: u8) {
        let kept = self
            .as_slice()
            .iter()
            .filter(|&&(known, _)| known != c)
            .count();
        if kept < self.len {
            let mut rest = [(b'<', 0.0); MAX_OPTIONS];
            for (slot, &item) in rest
                .iter_mut()
                .zip(self.as_slice().iter().filter(|&&(known, _)| known != c))
            {
                *slot = item;
            }
            self.items = rest;
            self.len = kept;
        }
    }

    /// `<` read as `K` in a filler run: keep only the filler.
    fn force_filler(&mut self) {
        let cost = self
            .as_slice()
            .iter()
            .find(|(c, _)| *c == b'<')
            .or_else(|| self.as_slice().first())
            .map_or(CONFUSABLE_COST, |&(c, cost)| {
                if c == b'<' {
                    cost
                } else {
                    cost + CONFUSABLE_COST
                }
            });
        self.items = [(b'<', cost); MAX_OPTIONS];
        self.len = 1;
    }
}

// ---- One way to read a format: classes and check-digit constraints. ----

/// Positions are flattened: `line * width + column`. A constraint is a list of
/// (position, weight) whose weighted sum must be 0 mod 10; the check digit itself
/// carries weight 9 (i.e. −1).
#[derive(Debug, Clone)]
struct Plan {
    width: usize,
    classes: Vec<Class>,
    groups: Vec<Vec<(usize, u8)>>,
    /// Index in `groups` of the document number's constraint.
    document_group: Option<usize>,
    composite: Vec<(usize, u8)>,
    /// Fields left-aligned and padded with fillers (names, numbers, optional data).
    padded: Vec<Span>,
}

/// Largest value of each `YYMMDD` digit's tens/units where the calendar bounds it.
const DATE_MAX: [u8; 6] = [9, 9, 1, 9, 3, 9];

impl Plan {
    fn new(format: Format) -> Plan {
        let layout = parse::layout(format);
        let width = format.line_length();
        let mut plan = Plan {
            width,
            classes: vec![Class::Alnum; format.line_count() * width],
            groups: Vec::new(),
            document_group: None,
            composite: Vec::new(),
            padded: Vec::new(),
        };
        plan.set(layout.document_code, Class::Letter);
        plan.set(layout.issuing_country, Class::Letter);
        let first: &'static [u8] = match format {
            Format::Td1 | Format::Td2 => b"ACI",
            Format::Td3 => b"P",
            Format::Mrva | Format::Mrvb => b"V",
            Format::FrenchId => b"I",
        };
        plan.set_at(
            layout.document_code.line,
            layout.document_code.start,
            Class::OneOf(first),
        );
        if format == Format::FrenchId {
            const PREFIX: &[u8] = b"IDFRA";
            for i in 0..PREFIX.len() {
                if let Some(fixed) = PREFIX.get(i..=i) {
                    plan.set_at(0, i, Class::OneOf(fixed));
                }
            }
        }
        let names = match layout.names {
            NameLayout::Icao(span) => vec![span],
            NameLayout::Split {
                surname,
                given_names,
            } => vec![surname, given_names],
        };
        for &span in &names {
            plan.set(span, Class::Letter);
        }
        plan.padded = names;
        plan.padded.push(layout.document_number);
        plan.padded.extend(layout.optional_data);
        plan.padded.extend(layout.optional_data_2);
        if let Some(span) = layout.nationality {
            plan.set(span, Class::Letter);
        }
        for span in std::iter::once(layout.date_of_birth).chain(layout.date_of_expiry) {
            for (column, max) in span.columns().zip(DATE_MAX) {
                plan.set_at(span.line, column, Class::DateDigit(max));
            }
        }
        plan.set_at(layout.sex.0, layout.sex.1, Class::Sex);
        for def in layout.checks {
            let digit_class = match def.field {
                CheckField::OptionalData => Class::DigitOrFiller,
                _ => Class::Digit,
            };
            plan.set_at(def.digit.0, def.digit.1, digit_class);
            let positions = def
                .data
                .iter()
                .flat_map(|&span| span.columns().map(move |c| (span.line, c)));
            let mut constraint: Vec<(usize, u8)> = positions
                .zip(WEIGHTS.iter().cycle())
                .map(|((line, column), &w)| (line * width + column, w))
                .collect();
            constraint.push((def.digit.0 * width + def.digit.1, 9));
            match def.field {
                CheckField::Composite => plan.composite = constraint,
                CheckField::DocumentNumber => {
                    plan.document_group = Some(plan.groups.len());
                    plan.groups.push(constraint);
                }
                _ => plan.groups.push(constraint),
            }
        }
        plan
    }

    fn set(&mut self, span: Span, class: Class) {
        for column in span.columns() {
            self.set_at(span.line, column, class);
        }
    }

    fn set_at(&mut self, line: usize, column: usize, class: Class) {
        if let Some(slot) = self.classes.get_mut(line * self.width + column) {
            *slot = class;
        }
    }

    /// When the OCR's best reading has the long-document-number shape, the two
    /// conventions (with or without the `<` in the check) as plans of their own.
    fn long_number_variants(&self, format: Format, cells: &[&Candidates]) -> Vec<Plan> {
        let layout = parse::layout(format);
        let (Some(def), Some(group)) = (layout.long_number, self.document_group) else {
            return Vec::new();
        };
        let width = self.width;
        let best = |line: usize, column: usize| {
            cells
                .get(line * width + column)
                .and_then(|c| c.alternatives.first())
                .map_or(b'<', |&(c, _)| c)
        };
        let number = layout.document_number;
        let principal: Vec<u8> = number.columns().map(|c| best(number.line, c)).collect();
        let continuation = def.continuation;
        let rest: Vec<u8> = continuation
            .columns()
            .map(|c| best(continuation.line, c))
            .collect();
        let Some(run) = parse::long_number_run(&principal, best(def.check.0, def.check.1), &rest)
        else {
            return Vec::new();
        };
        let digit_column = continuation.start + run - 1;
        [false, true]
            .into_iter()
            .map(|filler_counts| {
                let mut plan = self.clone();
                plan.set_at(def.check.0, def.check.1, Class::OneOf(b"<"));
                let tail = Span {
                    end: digit_column,
                    ..continuation
                };
                plan.set(tail, Class::Solid);
                plan.set_at(continuation.line, digit_column, Class::Digit);
                if digit_column + 1 < continuation.end {
                    plan.set_at(continuation.line, digit_column + 1, Class::OneOf(b"<"));
                }
                let skip = usize::from(filler_counts);
                let positions = number
                    .columns()
                    .map(|c| (number.line, c, 0))
                    .chain(tail.columns().map(|c| (tail.line, c, skip)));
                let mut constraint: Vec<(usize, u8)> = positions
                    .enumerate()
                    .map(|(i, (line, column, skip))| {
                        let weight = WEIGHTS.get((i + skip) % 3).copied().unwrap_or(0);
                        (line * width + column, weight)
                    })
                    .collect();
                constraint.push((continuation.line * width + digit_column, 9));
                if let Some(slot) = plan.groups.get_mut(group) {
                    *slot = constraint;
                }
                plan
            })
            .collect()
    }

    /// The cheapest valid reading under this plan, its total cost, and the cost of the
    /// next reading that satisfies every check digit (when it is close enough to matter).
    fn solve(&self, format: Format, cells: &[&Candidates], today: Date) -> Option<Solution> {
        if cells.len() != self.classes.len() {
            return None;
        }
        // Stops at the first position nothing fits (a visa's `V` in a passport plan).
        let mut options: Vec<Options> = self
            .classes
            .iter()
            .zip(cells)
            .map(|(&class, candidates)| {
                let options = Options::build(candidates, class);
                (options.len > 0).then_some(options)
            })
            .collect::<Option<_>>()?;
        for &span in &self.padded {
            self.clear_filler_runs(span, &mut options);
        }
        let mut choice = vec![0usize; options.len()];
        // The common case, a clean read: when every alternative at a checked position
        // costs at least the margin more, no other reading can contest this one.
        let clear_lead = self.checked_positions().all(|position| {
            options
                .get(position)
                .is_none_or(|o| match (o.get(0), o.get(1)) {
                    (Some((_, best)), Some((_, next))) => next - best >= AMBIGUITY_MARGIN,
                    _ => true,
                })
        });
        if clear_lead {
            if let Some(parsed) = self.accept(&options, &choice, format, today) {
                return Some(Solution {
                    cost: total_cost(&options, &choice),
                    runner_up: None,
                    parsed,
                });
            }
        }
        let (changes, runner_up_extra) = self.search(&options)?;
        for (position, k) in changes {
            if let Some(slot) = choice.get_mut(position) {
                *slot = k;
            }
        }
        let parsed = self.accept(&options, &choice, format, today)?;
        let cost = total_cost(&options, &choice);
        Some(Solution {
            cost,
            runner_up: runner_up_extra.map(|extra| cost + extra),
            parsed,
        })
    }

    /// Positions some check digit covers: the only ones the search may change.
    fn checked_positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups
            .iter()
            .flatten()
            .chain(&self.composite)
            .map(|&(position, _)| position)
    }

    /// In the filler run that ends a padded field, `K` is a misread `<`: no check digit
    /// can tell them apart (K = 20 ≡ 0 mod 10), so left in it would either slip through
    /// or make every read ambiguous; a real trailing `K` (an initial) follows a single
    /// `<`, never two.
    fn clear_filler_runs(&self, span: Span, options: &mut [Options]) {
        let base = span.line * self.width;
        let Some(field) = options.get_mut(base + span.start..base + span.end) else {
            return;
        };
        let top = |o: &Options| o.get(0).map_or(b'<', |(c, _)| c);
        let tail_start = field
            .iter()
            .rposition(|o| !matches!(top(o), b'<' | b'K'))
            .map_or(0, |i| i + 1);
        let Some(tail) = field.get_mut(tail_start..) else {
            return;
        };
        let opens_with_fillers = tail.iter().take(2).filter(|o| top(o) == b'<').count() == 2;
        if opens_with_fillers {
            for o in tail.iter_mut() {
                if top(o) == b'K' {
                    o.force_filler();
                } else {
                    o.remove(b'K');
                }
            }
        }
    }

    /// Which alternatives to take, as (position, option index) for every position that
    /// leaves its best option, plus how much dearer the runner-up reading is; `None`
    /// when nothing within budget satisfies every check digit.
    fn search(&self, options: &[Options]) -> Option<(Changes, Option<f32>)> {
        let mut composite_weight = vec![0u8; options.len()];
        for &(position, w) in &self.composite {
            if let Some(slot) = composite_weight.get_mut(position) {
                *slot = w;
            }
        }
        let mut grouped = vec![false; options.len()];
        let mut tables = Vec::with_capacity(self.groups.len() + 1);
        for group in &self.groups {
            let items: Vec<Item> = group
                .iter()
                .map(|&(position, w)| {
                    if let Some(slot) = grouped.get_mut(position) {
                        *slot = true;
                    }
                    let wc = composite_weight.get(position).copied().unwrap_or(0);
                    (position, w, wc)
                })
                .collect();
            tables.push(solve_group(&items, options)?);
        }
        let rest: Vec<Item> = self
            .composite
            .iter()
            .filter(|&&(position, _)| !grouped.get(position).copied().unwrap_or(true))
            .map(|&(position, w)| (position, 0, w))
            .collect();
        if !rest.is_empty() {
            tables.push(solve_group(&rest, options)?);
        }
        let (best, second) = combine(&tables)?;
        let changes = best
            .changes()
            .iter()
            .map(|&(position, k)| (usize::from(position), usize::from(k)))
            .collect();
        Some((changes, second.map(|s| s.cost - best.cost)))
    }

    fn accept(
        &self,
        options: &[Options],
        choice: &[usize],
        format: Format,
        today: Date,
    ) -> Option<Parsed> {
        let bytes: Vec<u8> = options
            .iter()
            .zip(choice)
            .map(|(o, &k)| o.get(k).map_or(b'<', |(c, _)| c))
            .collect();
        let lines: Vec<&str> = bytes
            .chunks(self.width)
            .map(std::str::from_utf8)
            .collect::<Result<_, _>>()
            .ok()?;
        let parsed = parse::parse(&lines, today).ok()?;
        // A fully printed date that is not a calendar day is a misread the check digit
        // happened to accept.
        let real =
            |date: Option<Date>, raw: &str| date.is_some() || raw.len() != 6 || raw.contains('<');
        let fields = &parsed.fields;
        let ok = parsed.format == format
            && parsed.valid()
            && real(fields.date_of_birth, &fields.date_of_birth_raw)
            && real(fields.date_of_expiry, &fields.date_of_expiry_raw);
        ok.then_some(parsed)
    }
}

fn total_cost(options: &[Options], choice: &[usize]) -> f32 {
    options
        .iter()
        .zip(choice)
        .filter_map(|(o, &k)| o.get(k))
        .map(|(_, cost)| cost)
        .sum()
}

// ---- The search. ----

/// (position, weight in its own check, weight in the composite).
type Item = (usize, u8, u8);

/// (position, option index) for each position that leaves its best option.
type Changes = Vec<(usize, usize)>;

/// A partial reading: its cost and the positions that left their best option.
#[derive(Debug, Clone, Copy)]
struct Cell {
    cost: f32,
    changes: [(u8, u8); MAX_CHANGES],
    n: u8,
}

impl Cell {
    const START: Cell = Cell {
        cost: 0.0,
        changes: [(0, 0); MAX_CHANGES],
        n: 0,
    };

    fn changes(&self) -> &[(u8, u8)] {
        self.changes.get(..usize::from(self.n)).unwrap_or(&[])
    }

    /// Both partial readings at once (they cover different positions).
    fn join(&self, other: &Cell) -> Option<Cell> {
        let mut joined = Cell {
            cost: self.cost + other.cost,
            ..*self
        };
        for &change in other.changes() {
            *joined.changes.get_mut(usize::from(joined.n))? = change;
            joined.n += 1;
        }
        Some(joined)
    }

    fn with(mut self, cost: f32, change: Option<(u8, u8)>) -> Option<Cell> {
        self.cost += cost;
        if let Some(change) = change {
            *self.changes.get_mut(usize::from(self.n))? = change;
            self.n += 1;
        }
        Some(self)
    }
}

/// The two cheapest partial readings reaching one state. Two per state is enough for
/// the exact global runner-up: its prefix is first or second wherever it passes.
#[derive(Debug, Clone, Copy)]
struct Two([Option<Cell>; 2]);

impl Two {
    const EMPTY: Two = Two([None, None]);

    fn offer(&mut self, cell: Cell) {
        let [first, second] = &mut self.0;
        match first {
            Some(f) if cell.cost >= f.cost => {
                if second.is_none_or(|s| cell.cost < s.cost) {
                    *second = Some(cell);
                }
            }
            _ => {
                *second = *first;
                *first = Some(cell);
            }
        }
    }

    /// Whether a reading of this cost would be kept.
    fn admits(&self, cost: f32) -> bool {
        let [_, second] = &self.0;
        second.is_none_or(|second| cost < second.cost)
    }

    fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.0.iter().flatten()
    }
}

const RESIDUES: usize = 10;
/// Per group: the cheapest readings satisfying its own check, by (changes, composite
/// residue).
type Table = [Two; (MAX_CHANGES_PER_CHECK + 1) * RESIDUES];

/// One alternative at one position, as what it changes against the best reading.
#[derive(Debug, Clone, Copy)]
struct Swap {
    item: usize,
    change: (u8, u8),
    own: usize,
    composite: usize,
    cost: f32,
}

/// Files a reading that satisfies its own check (own residue 0).
fn keep(table: &mut Table, changes: usize, own: usize, composite: usize, cell: Option<Cell>) {
    if !own.is_multiple_of(RESIDUES) {
        return;
    }
    if let (Some(slot), Some(cell)) = (
        table.get_mut(changes * RESIDUES + composite % RESIDUES),
        cell,
    ) {
        slot.offer(cell);
    }
}

/// `(value × weight)` difference of two characters, as a residue mod 10.
fn delta(from: usize, to: usize, weight: u8) -> usize {
    let w = usize::from(weight);
    (to * w % RESIDUES + RESIDUES - from * w % RESIDUES) % RESIDUES
}

/// The group's readings with at most two changes, enumerated: only positions where the
/// OCR (or a look-alike) offers a second option can change, so this is a handful of
/// swaps and pairs of swaps, exact, and far cheaper than a table over every residue.
fn solve_group(items: &[Item], options: &[Options]) -> Option<Table> {
    let mut own = 0;
    let mut composite = 0;
    let mut cost = 0.0;
    let mut swaps: Vec<Swap> = Vec::new();
    for (item, &(position, own_weight, composite_weight)) in items.iter().enumerate() {
        let at = options.get(position)?;
        let (best, best_cost) = at.get(0)?;
        let value = usize::from(char_value(best)?);
        own += value * usize::from(own_weight);
        composite += value * usize::from(composite_weight);
        cost += best_cost;
        let tag = u8::try_from(position).ok()?;
        for (k, &(c, alt_cost)) in at.as_slice().iter().enumerate().skip(1) {
            let alt = usize::from(char_value(c)?);
            swaps.push(Swap {
                item,
                change: (tag, u8::try_from(k).ok()?),
                own: delta(value, alt, own_weight),
                composite: delta(value, alt, composite_weight),
                cost: alt_cost - best_cost,
            });
        }
    }
    let (own, composite) = (own % RESIDUES, composite % RESIDUES);
    let mut table: Table = [Two::EMPTY; (MAX_CHANGES_PER_CHECK + 1) * RESIDUES];
    let start = Cell {
        cost,
        ..Cell::START
    };
    keep(&mut table, 0, own, composite, Some(start));
    for (i, a) in swaps.iter().enumerate() {
        let one = start.with(a.cost, Some(a.change));
        let (own, composite) = (own + a.own, composite + a.composite);
        keep(&mut table, 1, own, composite, one);
        for b in swaps.iter().skip(i + 1) {
            if b.item != a.item && (own + b.own).is_multiple_of(RESIDUES) {
                let two = one.and_then(|one| one.with(b.cost, Some(b.change)));
                keep(&mut table, 2, own + b.own, composite + b.composite, two);
            }
        }
    }
    Some(table)
}

/// Joins the groups under the zone-wide change budget; the composite residue must end
/// at 0 (it is 0 throughout for formats without a composite). Returns the cheapest
/// reading and the runner-up.
fn combine(tables: &[Table]) -> Option<(Cell, Option<Cell>)> {
    const STATES: usize = (MAX_CHANGES + 1) * RESIDUES;
    let mut acc = [Two::EMPTY; STATES];
    acc.first_mut()?.offer(Cell::START);
    let last = tables.len().checked_sub(1);
    for (index, table) in tables.iter().enumerate() {
        let parts: Vec<(usize, usize, &Cell)> = table
            .iter()
            .enumerate()
            .flat_map(|(t, two)| two.cells().map(move |c| (t / RESIDUES, t % RESIDUES, c)))
            .collect();
        let must_close = Some(index) == last;
        let mut next = [Two::EMPTY; STATES];
        for (s, two) in acc.iter().enumerate() {
            let (changes, residue) = (s / RESIDUES, s % RESIDUES);
            for cell in two.cells() {
                for &(part_changes, part_residue, part) in &parts {
                    let changes = changes + part_changes;
                    let residue = (residue + part_residue) % RESIDUES;
                    if changes > MAX_CHANGES || (must_close && residue != 0) {
                        continue;
                    }
                    let Some(slot) = next.get_mut(changes * RESIDUES + residue) else {
                        continue;
                    };
                    if slot.admits(cell.cost + part.cost) {
                        if let Some(joined) = cell.join(part) {
                            slot.offer(joined);
                        }
                    }
                }
            }
        }
        acc = next;
    }
    let mut overall = Two::EMPTY;
    for two in acc.iter().step_by(RESIDUES) {
        for &cell in two.cells() {
            overall.offer(cell);
        }
    }
    let [best, second] = overall.0;
    Some((best?, second))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(options: &Options) -> Vec<u8> {
        options.as_slice().iter().map(|&(c, _)| c).collect()
    }

    #[test]
    fn options_keep_the_three_cheapest_distinct_characters() {
        let candidates = Candidates {
            alternatives: vec![
                (b'C', 0.9),
                (b'A', 0.5),
                (b'B', 0.7),
                (b'A', 0.1),
                (b'D', 0.2),
            ],
        };
        let options = Options::build(&candidates, Class::Alnum);
        assert_eq!(chars(&options), b"ADB");
        assert_eq!(options.get(0), Some((b'A', 0.1)));
    }

    #[test]
    fn options_map_look_alikes_by_field_type() {
        let o = Candidates {
            alternatives: vec![(b'O', 0.2)],
        };
        let digit = Options::build(&o, Class::Digit);
        assert_eq!(digit.as_slice(), &[(b'0', 0.2 + CONFUSABLE_COST)]);
        let alnum = Options::build(&o, Class::Alnum);
        assert_eq!(
            alnum.as_slice(),
            &[(b'O', 0.2), (b'0', 0.2 + LOOK_ALIKE_COST)]
        );
        let month_tens = Options::build(
            &Candidates {
                alternatives: vec![(b'7', 0.1), (b'1', 0.5)],
            },
            Class::DateDigit(1),
        );
        assert_eq!(chars(&month_tens), b"1");
        let far = Options::build(
            &Candidates {
                alternatives: vec![(b'7', 0.1), (b'1', 0.1 + MAX_CHANGE_COST + 0.1)],
            },
            Class::Digit,
        );
        assert_eq!(chars(&far), b"7");
    }

    #[test]
    fn filler_runs_lose_their_k() {
        let mut options = Options::build(
            &Candidates {
                alternatives: vec![(b'<', 0.1), (b'K', 0.2), (b'X', 0.3)],
            },
            Class::Letter,
        );
        options.remove(b'K');
        assert_eq!(chars(&options), b"<X");
        let mut k = Options::build(
            &Candidates {
                alternatives: vec![(b'K', 0.1)],
            },
            Class::Letter,
        );
        k.force_filler();
        assert_eq!(k.as_slice(), &[(b'<', 0.1 + CONFUSABLE_COST)]);
    }

    #[test]
    fn two_keeps_first_and_runner_up() {
        let cell = |cost| Cell {
            cost,
            ..Cell::START
        };
        let mut two = Two::EMPTY;
        for cost in [3.0, 1.0, 2.0, 0.5, 4.0] {
            two.offer(cell(cost));
        }
        let costs: Vec<f32> = two.cells().map(|c| c.cost).collect();
        assert_eq!(costs, [0.5, 1.0]);
        assert!(two.admits(0.9));
        assert!(!two.admits(1.0));
    }

    #[test]
    fn weight_deltas_are_residues() {
        assert_eq!(delta(8, 11, 3), 9);
        assert_eq!(delta(11, 8, 7), 9);
        assert_eq!(delta(0, 20, 7), 0);
        assert_eq!(delta(5, 5, 1), 0);
    }
}
