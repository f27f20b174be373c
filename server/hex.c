/* hex: hexadecimal digits. */
#include "hex.h"

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char hex_digit(unsigned value)
{
    return "0123456789abcdef"[value & 15];
}

int hex_byte(const char *text)
{
    int high = hex_value(text[0]);
    if (high < 0)
        return -1;
    int low = hex_value(text[1]);
    return low < 0 ? -1 : high * 16 + low;
}

bool hex_is_digits(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (hex_value(text[i]) < 0)
            return false;
    return true;
}
