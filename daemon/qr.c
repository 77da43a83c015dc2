/*
 * qr.c - a QR code of a web address for pam_vouch_device's url= option,
 * made with libqrencode and drawn with Unicode half blocks, two rows of
 * modules a line, so that it fits a TV's console.  As `qrencode -t UTF8`
 * draws it: light modules (and the quiet zone) are blocks, dark modules
 * blanks, for the light text on a dark background of consoles.
 */
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "vouchd.h"

#define QUIET 4 /* modules of light margin around the code, as ISO 18004 */

static const char *const glyph[4] = {
    "\xe2\x96\x88", /* both light: full block */
    "\xe2\x96\x80", /* upper light: upper half block */
    "\xe2\x96\x84", /* lower light: lower half block */
    " ",            /* both dark */
};

/* Is module (x, y) dark?  Outside the symbol: the quiet zone, light. */
static bool dark(const QRcode *q, int x, int y)
{
  if(x < 0 || y < 0 || x >= q->width || y >= q->width)
    return false;
  return q->data[y * q->width + x] & 1;
}

char *vd_qr_text(const char *text, unsigned max_cols)
{
  QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  size_t cols, rows, cap, len = 0, n;
  const char *g;
  char *out;
  bool up, down;
  int x, y;

  if(!q)
    return NULL;
  cols = (size_t)q->width + 2 * QUIET;
  if(cols > max_cols) {
    QRcode_free(q);
    return NULL;
  }
  rows = (cols + 1) / 2;
  cap = rows * (cols * 3 + 1) + 1;
  out = malloc(cap);
  if(!out) {
    QRcode_free(q);
    return NULL;
  }
  for(y = -QUIET; y < q->width + QUIET; y += 2) {
    for(x = -QUIET; x < q->width + QUIET; x++) {
      up = dark(q, x, y);
      down = dark(q, x, y + 1);
      g = glyph[!up && !down ? 0 : !up ? 1 : !down ? 2 : 3];
      n = strlen(g);
      memcpy(out + len, g, n);
      len += n;
    }
    out[len++] = '\n';
  }
  out[len - 1] = '\0'; /* no newline after the last line */
  QRcode_free(q);
  return out;
}
