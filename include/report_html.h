/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A timeline as one self-contained HTML page: inline CSS and SVG and a few
 * lines of script, nothing fetched. `report` writes it to a file, the
 * daemon serves it as its landing page.
 */
#ifndef __IW_REPORT_HTML_H
#define __IW_REPORT_HTML_H

#include <stdio.h>
#include "timeline.h"

struct report_page {
	const char *title;
	bool live;			/* the daemon's page: no bad lines */
	unsigned long bad_lines;	/* input lines refused */
	/* A section of the page's own after the facts (may be NULL). */
	void (*extra)(FILE *f, void *arg);
	void *extra_arg;
};

/* The page; 0, or -EIO if f failed. */
int report_html_write(FILE *f, const struct timeline *tl,
		      const struct report_page *page);

#define REPORT_HTML_CSP_LEN	256

/*
 * The page's Content-Security-Policy: nothing loaded, its inline style
 * and script allowed by their SHA-256. The page carries it in a <meta>;
 * a server adds what only a header can say. 0 or -errno.
 */
int report_html_csp(char *buf, size_t len);
/*
 * Text with &, <, >, " and ' escaped, safe in an element or an attribute,
 * and control characters and bytes that are not UTF-8 shown as \xNN.
 */
void html_text(FILE *f, const char *s);

#endif /* __IW_REPORT_HTML_H */
