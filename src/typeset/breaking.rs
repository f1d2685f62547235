//! Total-fit paragraph breaking (Knuth and Plass, "Breaking Paragraphs into Lines", 1981).
//! The paragraph is a list of boxes, glue and penalties; the breaker chooses the breaks that
//! minimise the demerits of the whole paragraph rather than filling each line in turn.

#[derive(Debug, Clone, Copy)]
pub enum Node {
    /// A word; `stretch` is how far its letters may be spaced out (see `lines::LETTER_STRETCH`),
    /// `hang` how far its first and last characters may hang into the margins when it starts
    /// or ends a line (character protrusion).
    Box {
        width: f32,
        stretch: f32,
        hang: (f32, f32),
    },
    Glue {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    /// `flagged`: a hyphen break (two in a row cost extra, three are refused).
    Penalty {
        width: f32,
        cost: f32,
        flagged: bool,
    },
}

pub const INFINITY: f32 = 10_000.0;

/// Ends a line for good (a hard line break, or the paragraph's end) as TeX ends a paragraph:
/// `\penalty10000 \hskip\parfillskip \penalty-10000`. The unbreakable penalty keeps the
/// fill glue from being a break of its own: without it the breaker could end a line at the
/// glue and again at the forced break, leaving a justified line and an empty one (issue 32).
pub fn push_forced_break(nodes: &mut Vec<Node>) {
    nodes.push(Node::Penalty {
        width: 0.0,
        cost: INFINITY,
        flagged: false,
    });
    nodes.push(Node::Glue {
        width: 0.0,
        stretch: INFINITY,
        shrink: 0.0,
    });
    nodes.push(Node::Penalty {
        width: 0.0,
        cost: -INFINITY,
        flagged: false,
    });
}

#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The largest adjustment ratio a line may have (TeX's tolerance is 100 × r³).
    pub max_ratio: f32,
    pub line_penalty: f32,
    pub double_hyphen_demerits: f32,
    pub fitness_demerits: f32,
    /// No more than this many hyphenated lines in a row.
    pub max_consecutive_hyphens: u8,
    /// Added when the last full line of a paragraph ends with a hyphen (TeX's
    /// `\finalhyphendemerits`, there 5000): the word's tail would sit alone on the short last
    /// line. Here high enough to forbid it unless no other set of breaks fits.
    pub final_hyphen_demerits: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_ratio: 2.0,
            line_penalty: 10.0,
            // TeX's \doublehyphendemerits.
            double_hyphen_demerits: 10_000.0,
            fitness_demerits: 3000.0,
            max_consecutive_hyphens: 2,
            // Far above any line the pass accepts: the break is taken only when nothing else fits.
            final_hyphen_demerits: 1.0e8,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Active {
    /// Index of the break (into `nodes`), or usize::MAX for the paragraph start.
    at: usize,
    line: usize,
    fitness: u8,
    hyphens: u8,
    demerits: f64,
    prev: Option<usize>,
}

/// A chosen break: its node index and the line's adjustment ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    pub at: usize,
    pub ratio: f32,
}

/// Running sums of widths, stretch and shrink before each node, for any line's measure in
/// constant time.
struct Sums<'a> {
    nodes: &'a [Node],
    w: Vec<f32>,
    y: Vec<f32>,
    z: Vec<f32>,
}

impl<'a> Sums<'a> {
    fn new(nodes: &'a [Node]) -> Sums<'a> {
        let n = nodes.len();
        let (mut w, mut y, mut z) = (
            vec![0.0f32; n + 1],
            vec![0.0f32; n + 1],
            vec![0.0f32; n + 1],
        );
        for (i, node) in nodes.iter().enumerate() {
            let (nw, ny, nz) = match *node {
                Node::Box { width, stretch, .. } => (width, stretch, 0.0),
                Node::Glue {
                    width,
                    stretch,
                    shrink,
                } => (width, stretch, shrink),
                Node::Penalty { .. } => (0.0, 0.0, 0.0),
            };
            w[i + 1] = w[i] + nw;
            y[i + 1] = y[i] + ny;
            z[i + 1] = z[i] + nz;
        }
        Sums { nodes, w, y, z }
    }

    /// Where a line starting after break `b` begins: past the glue and penalties after it.
    fn after(&self, b: usize) -> usize {
        let n = self.nodes.len();
        let mut i = b + 1;
        while i < n && !matches!(self.nodes[i], Node::Box { .. }) {
            if let Node::Penalty { cost, .. } = self.nodes[i] {
                if cost <= -INFINITY {
                    break;
                }
            }
            i += 1;
        }
        i
    }

    /// Natural width, stretch and shrink of the line from node `start` to a break at `b`.
    fn line(&self, start: usize, b: usize) -> (f32, f32, f32) {
        let pen_w = match self.nodes[b] {
            Node::Penalty { width, .. } => width,
            _ => 0.0,
        };
        // Punctuation at either end hangs into the margin; a hyphen's own hang is taken off
        // its penalty's width by the caller.
        let left = match self.nodes.get(start) {
            Some(Node::Box { hang, .. }) => hang.0,
            _ => 0.0,
        };
        // A line ending at a forced break ends with the word before the fill glue (and its
        // unbreakable penalty): a full last line may hang its full stop too.
        let mut end = b;
        if matches!(self.nodes[b], Node::Penalty { cost, .. } if cost <= -INFINITY) {
            let fill = |n: &Node| match *n {
                Node::Glue { stretch, .. } => stretch >= INFINITY,
                Node::Penalty { cost, .. } => cost >= INFINITY,
                Node::Box { .. } => false,
            };
            while end > start && fill(&self.nodes[end - 1]) {
                end -= 1;
            }
        }
        let right = match (end.checked_sub(1).map(|i| &self.nodes[i]), pen_w) {
            (Some(Node::Box { hang, .. }), w) if w == 0.0 => hang.1,
            _ => 0.0,
        };
        (
            self.w[b] - self.w[start] + pen_w - left - right,
            self.y[b] - self.y[start],
            self.z[b] - self.z[start],
        )
    }
}

/// The adjustment ratio of a line of `natural` width with this stretch and shrink, set to
/// `width` (±INFINITY when it cannot stretch or shrink at all).
fn adjustment(width: f32, natural: f32, stretch: f32, shrink: f32) -> f32 {
    if natural < width {
        if stretch > 0.0 {
            (width - natural) / stretch
        } else {
            INFINITY
        }
    } else if natural > width {
        if shrink > 0.0 {
            (width - natural) / shrink
        } else {
            -INFINITY
        }
    } else {
        0.0
    }
}

/// The fitness class of a line (0 tight … 3 very loose); the last line of a paragraph, set
/// at its natural width, counts as decent.
fn fitness_class(ratio: f32, forced: bool) -> u8 {
    if forced && ratio > 0.0 {
        1
    } else if ratio < -0.5 {
        0
    } else if ratio <= 0.5 {
        1
    } else if ratio <= 1.0 {
        2
    } else {
        3
    }
}

/// The demerits of a line of this ratio ending at a break of this cost, coming after `a`.
fn line_demerits(
    a: &Active,
    ratio: f32,
    cost: f32,
    flagged: bool,
    forced: bool,
    p: &Params,
) -> f64 {
    // The last line of a paragraph is set at its natural width: no badness.
    let badness = if forced && ratio > 0.0 {
        0.0
    } else {
        100.0 * ratio.abs().powi(3) as f64
    };
    let mut d = (p.line_penalty as f64 + badness).powi(2);
    if cost > 0.0 {
        d += (cost as f64).powi(2);
    } else if cost > -INFINITY {
        d -= (cost as f64).powi(2);
    }
    if flagged && a.hyphens > 0 {
        d += p.double_hyphen_demerits as f64;
    }
    if forced && a.hyphens > 0 {
        d += p.final_hyphen_demerits as f64;
    }
    d
}

/// Whether node `b` is a legal break, and its penalty's width, cost and flag.
fn break_at(nodes: &[Node], b: usize) -> Option<(f32, bool)> {
    match nodes[b] {
        Node::Glue { .. } => {
            (b > 0 && matches!(nodes[b - 1], Node::Box { .. })).then_some((0.0, false))
        }
        Node::Penalty { cost, flagged, .. } => (cost < INFINITY).then_some((cost, flagged)),
        Node::Box { .. } => None,
    }
}

/// The breaks for lines `width` wide, or `None` when no set of breaks keeps every line within
/// `max_ratio` (the caller then loosens or splits words). The last node must be a forced break.
pub fn breaks(nodes: &[Node], width: f32, p: &Params) -> Option<Vec<Break>> {
    let sums = Sums::new(nodes);
    let mut arena: Vec<Active> = vec![Active {
        at: usize::MAX,
        line: 0,
        fitness: 1,
        hyphens: 0,
        demerits: 0.0,
        prev: None,
    }];
    let mut active: Vec<usize> = vec![0];
    for b in 0..nodes.len() {
        let Some((cost, flagged)) = break_at(nodes, b) else {
            continue;
        };
        let forced = cost <= -INFINITY;
        // Best new node per fitness class: (demerits, from, hyphen run).
        let mut best: [Option<(f64, usize, u8)>; 4] = [None; 4];
        let mut keep = Vec::with_capacity(active.len());
        for &ai in &active {
            let a = arena[ai];
            let start = if a.at == usize::MAX {
                0
            } else {
                sums.after(a.at)
            };
            let (natural, stretch, shrink) = sums.line(start, b);
            let ratio = adjustment(width, natural, stretch, shrink);
            // Lines that are too tight now only get tighter, and a forced break ends every
            // line that reaches it: drop the active node.
            if ratio >= -1.0 && !forced {
                keep.push(ai);
            }
            let feasible = ratio >= -1.0
                && (ratio <= p.max_ratio || (forced && ratio <= INFINITY && natural <= width));
            let hyphens = if flagged { a.hyphens + 1 } else { 0 };
            if !feasible || hyphens > p.max_consecutive_hyphens {
                continue;
            }
            let mut d = line_demerits(&a, ratio, cost, flagged, forced, p);
            let fitness = fitness_class(ratio, forced);
            if (fitness as i8 - a.fitness as i8).abs() > 1 {
                d += p.fitness_demerits as f64;
            }
            let total = a.demerits + d;
            let slot = &mut best[fitness as usize];
            if slot.is_none_or(|s| total < s.0) {
                *slot = Some((total, ai, hyphens));
            }
        }
        active = keep;
        for (fitness, slot) in best.iter().enumerate() {
            if let Some((demerits, from, hyphens)) = *slot {
                arena.push(Active {
                    at: b,
                    line: arena[from].line + 1,
                    fitness: fitness as u8,
                    hyphens,
                    demerits,
                    prev: Some(from),
                });
                active.push(arena.len() - 1);
            }
        }
        if active.is_empty() {
            return None;
        }
    }
    // The best node that ends at the final (forced) break.
    let last = nodes.len().checked_sub(1)?;
    let end = active
        .iter()
        .copied()
        .filter(|&i| arena[i].at == last)
        .min_by(|&a, &b| arena[a].demerits.total_cmp(&arena[b].demerits))?;
    let mut chosen = Vec::new();
    let mut cur = Some(end);
    while let Some(i) = cur {
        let a = arena[i];
        if a.at == usize::MAX {
            break;
        }
        chosen.push(a.at);
        cur = a.prev;
    }
    chosen.reverse();
    Some(with_ratios(&sums, &chosen, width))
}

/// The chosen breaks with each line's ratio, as the lines will be set (the last line of a
/// paragraph, and a line that cannot stretch, at their natural width).
fn with_ratios(sums: &Sums, chosen: &[usize], width: f32) -> Vec<Break> {
    let mut result = Vec::with_capacity(chosen.len());
    let mut prev: Option<usize> = None;
    for &b in chosen {
        let start = prev.map(|p| sums.after(p)).unwrap_or(0);
        let (natural, stretch, shrink) = sums.line(start, b);
        let forced = matches!(sums.nodes[b], Node::Penalty { cost, .. } if cost <= -INFINITY);
        let ratio = if natural < width {
            if forced || stretch <= 0.0 {
                0.0
            } else {
                (width - natural) / stretch
            }
        } else if shrink > 0.0 {
            ((width - natural) / shrink).max(-1.0)
        } else {
            0.0
        };
        result.push(Break { at: b, ratio });
        prev = Some(b);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[f32]) -> Vec<Node> {
        let mut v = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            if i > 0 {
                v.push(Node::Glue {
                    width: 4.0,
                    stretch: 2.0,
                    shrink: 1.3,
                });
            }
            v.push(Node::Box {
                width: *w,
                stretch: 0.0,
                hang: (0.0, 0.0),
            });
        }
        push_forced_break(&mut v);
        v
    }

    fn widths(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                8.0 + ((i as u32).wrapping_mul(2654435761u32).wrapping_add(seed) >> 7) as f32 % 32.0
            })
            .collect()
    }

    /// Lines filled first-fit, with their adjustment ratios (the last line excluded).
    fn greedy_ratios(ws: &[f32], width: f32) -> Vec<f32> {
        let mut out = Vec::new();
        let mut line: Vec<f32> = Vec::new();
        for &w in ws {
            let natural: f32 = line.iter().sum::<f32>() + 4.0 * line.len() as f32;
            if !line.is_empty() && natural + w > width {
                let nat: f32 = line.iter().sum::<f32>() + 4.0 * (line.len() - 1) as f32;
                let gaps = (line.len() - 1) as f32;
                out.push(if nat <= width {
                    (width - nat) / (2.0 * gaps)
                } else {
                    (width - nat) / (1.3 * gaps)
                });
                line.clear();
            }
            line.push(w);
        }
        out
    }

    fn demerits(ratios: &[f32]) -> f64 {
        ratios
            .iter()
            .map(|r| (10.0 + 100.0 * (r.abs() as f64).powi(3)).powi(2))
            .sum()
    }

    #[test]
    fn every_line_fits_and_the_last_is_forced() {
        let nodes = words(&widths(80, 1));
        let br = breaks(&nodes, 200.0, &Params::default()).expect("feasible");
        assert_eq!(br.last().unwrap().at, nodes.len() - 1);
        for b in &br[..br.len() - 1] {
            assert!(b.ratio >= -1.0 && b.ratio <= 2.0, "{b:?}");
        }
    }

    #[test]
    fn total_fit_is_never_worse_than_first_fit() {
        let p = Params {
            max_ratio: 50.0,
            fitness_demerits: 0.0,
            double_hyphen_demerits: 0.0,
            ..Default::default()
        };
        for seed in 0u32..20 {
            let ws = widths(60, seed.wrapping_mul(7919));
            let g = greedy_ratios(&ws, 180.0);
            if g.iter().any(|r| *r < -1.0) {
                continue;
            }
            let br = breaks(&words(&ws), 180.0, &p).expect("feasible when first fit is");
            let kp: Vec<f32> = br[..br.len() - 1].iter().map(|b| b.ratio).collect();
            assert!(
                demerits(&kp) <= demerits(&g) + 1e-6,
                "seed {seed}: total fit {kp:?} vs first fit {g:?}"
            );
        }
    }

    #[test]
    fn infeasible_paragraphs_say_so() {
        let nodes = words(&[50.0, 500.0, 20.0]);
        assert!(breaks(&nodes, 100.0, &Params::default()).is_none());
    }

    #[test]
    fn three_hyphens_in_a_row_are_refused() {
        // Every line must end in a hyphen unless the breaker avoids it; with the limit at two,
        // no three consecutive lines end at a flagged penalty.
        let mut v = Vec::new();
        for i in 0..12 {
            if i > 0 {
                v.push(Node::Glue {
                    width: 3.0,
                    stretch: 1.5,
                    shrink: 1.0,
                });
            }
            v.push(Node::Box {
                width: 30.0,
                stretch: 0.0,
                hang: (0.0, 0.0),
            });
            v.push(Node::Penalty {
                width: 4.0,
                cost: 50.0,
                flagged: true,
            });
            v.push(Node::Box {
                width: 30.0,
                stretch: 0.0,
                hang: (0.0, 0.0),
            });
        }
        push_forced_break(&mut v);
        for w in [100.0, 112.0, 127.0, 140.0] {
            if let Some(br) = breaks(
                &v,
                w,
                &Params {
                    max_ratio: 10.0,
                    ..Default::default()
                },
            ) {
                let mut run = 0;
                for b in &br {
                    run = if matches!(v[b.at], Node::Penalty { flagged: true, .. }) {
                        run + 1
                    } else {
                        0
                    };
                    assert!(run <= 2, "three hyphenated lines in a row at width {w}");
                }
            }
        }
    }
}
