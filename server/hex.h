/* hex: hexadecimal digits, read and written in one place (percent-decoding of forms and
 * paths, \u escapes in log lines, player ids). */
#ifndef PACMAN_HEX_H
#define PACMAN_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* The value of one hexadecimal digit (either case), or -1 when c is not one. */
int hex_value(char c);

/* The lower-case digit for value & 15. */
char hex_digit(unsigned value);

/* Decodes the two digits at text[0] and text[1] (text must hold two bytes, or stop at a NUL
 * first); -1 when either is not a digit. */
int hex_byte(const char *text);

/* True when text[0..length) is all hexadecimal digits. */
bool hex_is_digits(const char *text, size_t length);

#endif
