/* out_gnuplot.h - running gnuplot on the scripts the plot writers make.
 *
 * Every script zksim writes draws one figure and chooses its terminal
 * from the variable `fmt`: `gnuplot NAME.gp` makes NAME.png (pngcairo
 * when this gnuplot has it, else the libgd png terminal), and
 * `gnuplot -e "fmt='svg'" NAME.gp` makes NAME.svg.  The data sit next to
 * the script, so a figure can be restyled and redrawn by hand.
 */
#ifndef OUT_GNUPLOT_H
#define OUT_GNUPLOT_H

#include <glib.h>

/* TRUE if a gnuplot is on the PATH. */
gboolean out_gnuplot_available(void);
/* Appends the preamble that picks the terminal and output file
 * (NAME.png or NAME.svg) for a figure of width x height pixels. */
void out_gnuplot_preamble(GString *gp, const char *name, int width, int height);
/* Writes dir/NAME.gp, then runs gnuplot on it twice (PNG, SVG) in dir.
 * FALSE and err (with gnuplot's own message) if either run fails. */
gboolean out_gnuplot_draw(const char *dir, const char *name, const GString *script, GError **err);
/* Writes dir/name with contents s. */
gboolean out_write_file(const char *dir, const char *name, const GString *s, GError **err);

/* A colour as gnuplot's "rgb variable" wants it (0xRRGGBB), from a
 * table of message or role names, or a fixed palette by a stable hash
 * of the name for names not in the table. */
guint32 out_color_of(const char *name);

#endif
