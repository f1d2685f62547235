//! A page's content stream, written straight to bytes. A 400-page book draws over a million
//! glyphs; building an operator object per glyph (as a general PDF library does) cost most of
//! the writer's time and memory, so operators are appended as text here.

#[derive(Default)]
pub struct Content {
    pub buf: Vec<u8>,
}

impl Content {
    pub fn with_capacity(n: usize) -> Content {
        Content {
            buf: Vec::with_capacity(n),
        }
    }

    /// A number followed by a space, to three decimals at most (a thousandth of a point is
    /// far below what print or screen can show).
    pub fn num(&mut self, v: f32) -> &mut Self {
        push_num(&mut self.buf, v);
        self.buf.push(b' ');
        self
    }

    pub fn name(&mut self, n: &str) -> &mut Self {
        self.buf.push(b'/');
        self.buf.extend_from_slice(n.as_bytes());
        self.buf.push(b' ');
        self
    }

    /// An operator, ending the line.
    pub fn op(&mut self, op: &str) -> &mut Self {
        self.buf.extend_from_slice(op.as_bytes());
        self.buf.push(b'\n');
        self
    }

    pub fn save(&mut self) -> &mut Self {
        self.op("q")
    }

    pub fn restore(&mut self) -> &mut Self {
        self.op("Q")
    }

    pub fn fill_gray(&mut self, g: f32) -> &mut Self {
        self.num(g).op("g")
    }

    pub fn stroke_gray(&mut self, g: f32) -> &mut Self {
        self.num(g).op("G")
    }

    pub fn line_width(&mut self, w: f32) -> &mut Self {
        self.num(w).op("w")
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) -> &mut Self {
        self.num(x).num(y).num(w).num(h).op("re")
    }

    pub fn move_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.num(x).num(y).op("m")
    }

    pub fn line_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.num(x).num(y).op("l")
    }

    /// Draws an image XObject into the box (x, y, w, h), y being the bottom edge.
    pub fn image(&mut self, name: &str, x: f32, y: f32, w: f32, h: f32) -> &mut Self {
        self.save();
        self.num(w).num(0.0).num(0.0).num(h).num(x).num(y).op("cm");
        self.name(name).op("Do");
        self.restore()
    }

    /// Starts marked content tagged with a structure role and its marked-content id.
    pub fn begin_tagged(&mut self, role: &str, mcid: usize) -> &mut Self {
        self.name(role);
        self.buf.extend_from_slice(b"<</MCID ");
        push_int(&mut self.buf, mcid as i64);
        self.buf.extend_from_slice(b">> ");
        self.op("BDC")
    }

    /// Starts content that is not part of the document's text (page furniture).
    pub fn begin_artifact(&mut self, kind: Option<&str>) -> &mut Self {
        match kind {
            Some(k) => {
                self.buf.extend_from_slice(b"/Artifact <</Type /");
                self.buf.extend_from_slice(k.as_bytes());
                self.buf.extend_from_slice(b">> ");
                self.op("BDC")
            }
            None => self.name("Artifact").op("BMC"),
        }
    }

    pub fn end_marked(&mut self) -> &mut Self {
        self.op("EMC")
    }

    /// A `TJ` array: runs of two-byte glyph codes with kerning adjustments (thousandths of an
    /// em, positive moves left) between them.
    pub fn show(&mut self, items: &[TjItem]) -> &mut Self {
        self.buf.push(b'[');
        let mut open = false;
        for it in items {
            match *it {
                TjItem::Glyph(code) => {
                    if !open {
                        self.buf.push(b'<');
                        open = true;
                    }
                    push_hex4(&mut self.buf, code);
                }
                TjItem::Kern(k) => {
                    if open {
                        self.buf.push(b'>');
                        open = false;
                    }
                    push_int(&mut self.buf, k);
                }
            }
        }
        if open {
            self.buf.push(b'>');
        }
        self.buf.extend_from_slice(b"] ");
        self.op("TJ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TjItem {
    Glyph(u16),
    Kern(i64),
}

fn push_int(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    let mut n = v.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

pub fn push_num(buf: &mut Vec<u8>, v: f32) {
    let v = if v.is_finite() { v as f64 } else { 0.0 };
    let scaled = (v * 1000.0).round() as i64;
    if scaled < 0 {
        buf.push(b'-');
    }
    let a = scaled.unsigned_abs();
    push_int(buf, (a / 1000) as i64);
    let mut frac = a % 1000;
    if frac != 0 {
        buf.push(b'.');
        let mut digits = 3;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        let s = [
            b'0' + (frac / 100 % 10) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        buf.extend_from_slice(&s[3 - digits..]);
    }
}

fn push_hex4(buf: &mut Vec<u8>, v: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for shift in [12, 8, 4, 0] {
        buf.push(HEX[((v >> shift) & 0xF) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f32) -> String {
        let mut b = Vec::new();
        push_num(&mut b, v);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn numbers_are_short_and_exact_to_a_thousandth() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(-3.25), "-3.25");
        assert_eq!(num(0.0504), "0.05");
        assert_eq!(num(595.2756), "595.276");
        assert_eq!(num(0.001), "0.001");
        assert_eq!(num(-0.0004), "0");
        assert_eq!(num(f32::NAN), "0");
        assert_eq!(num(100.0), "100");
    }

    #[test]
    fn glyph_runs_are_grouped_between_kerns() {
        let mut c = Content::default();
        c.show(&[
            TjItem::Glyph(1),
            TjItem::Glyph(0x2AB),
            TjItem::Kern(-12),
            TjItem::Glyph(0xFFFF),
        ]);
        assert_eq!(
            String::from_utf8(c.buf).unwrap(),
            "[<000102AB>-12<FFFF>] TJ\n"
        );
        let mut c = Content::default();
        c.begin_tagged("P", 7).begin_artifact(Some("Pagination"));
        assert_eq!(
            String::from_utf8(c.buf).unwrap(),
            "/P <</MCID 7>> BDC\n/Artifact <</Type /Pagination>> BDC\n"
        );
    }
}
