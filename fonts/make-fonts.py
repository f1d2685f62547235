#!/usr/bin/env python3
"""Regenerates the fonts that are not committed as their upstream files.

Needs Debian's fonts-noto-cjk and fonts-noto-core, `pip install fonttools brotli`, and
`npm pack @fontsource/noto-emoji` (5.3.2) unpacked in the current folder (./package).

- NotoSansSC-{Regular,Bold}.otf: Noto Sans CJK SC (fonts-noto-cjk 20220127) subset to the
  characters people write in the two CJK languages the handouts serve: the 6,763 hanzi of
  GB 2312 (Simplified Chinese) and the 2,350 Hangul syllables of KS X 1001 (Korean, whose
  Hangul glyphs are the same in every regional Noto CJK), with CJK punctuation, full-width
  forms and Hangul jamo. 3.1 MB each instead of 19 MB for the whole collection.
- NotoNaskhArabic-{Regular,Bold}.ttf, NotoSansSymbols2-Regular.ttf: copied as they are.
- NotoEmoji-Regular.ttf: the monochrome Noto Emoji (OFL) from fontsource's full "emoji"
  subset, weight 400, unpacked from WOFF2.
"""
import shutil
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

def decode_all(codec, rows):
    out = []
    for hi in rows:
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode(codec))
            except UnicodeDecodeError:
                pass
    return out

hanzi = decode_all("gb2312", range(0xB0, 0xF8))
hangul = decode_all("euc-kr", range(0xB0, 0xC9))
assert (len(hanzi), len(hangul)) == (6763, 2350)
codepoints = {ord(c) for c in hanzi + hangul}
for a, b in [(0x3000, 0x303F), (0xFF00, 0xFFEF), (0x3130, 0x318F), (0x2010, 0x2027), (0xB7, 0xB7)]:
    codepoints.update(range(a, b + 1))

for weight in ["Regular", "Bold"]:
    font = TTCollection(f"/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc").fonts[2]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    s = subset.Subsetter(options)
    s.populate(unicodes=codepoints)
    s.subset(font)
    font.save(f"NotoSansSC-{weight}.otf")

for name in ["NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf", "NotoSansSymbols2-Regular.ttf"]:
    shutil.copy(f"/usr/share/fonts/truetype/noto/{name}", name)

emoji = TTFont("package/files/noto-emoji-emoji-400-normal.woff2")
emoji.flavor = None
emoji.save("NotoEmoji-Regular.ttf")
