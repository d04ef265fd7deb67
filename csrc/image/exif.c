/* exif.c — the one EXIF tag glimpse needs: Orientation (0x0112) in IFD0.
 *
 * Layout (TIFF 6.0, EXIF 2.3): an 8-byte header, "II*\0" (little endian) or
 * "MM\0*" (big endian), then the 32-bit offset of IFD0 from the header's
 * start. An IFD is a 16-bit entry count followed by 12-byte entries:
 * tag (16), type (16), count (32), value or offset (32). Orientation is one
 * SHORT (type 3), stored in the first two bytes of the value field.
 * Every read is checked against `len`: the block is attacker-controlled. */
#include "codec_internal.h"

static unsigned rd16(const uint8_t *p, int le)
{
    return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | (unsigned)p[1];
}

static uint32_t rd32(const uint8_t *p, int le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int codec_exif_orientation(const uint8_t *tiff, size_t len)
{
    if (!tiff || len < 8) return 1;
    int le;
    if (tiff[0] == 'I' && tiff[1] == 'I') le = 1;
    else if (tiff[0] == 'M' && tiff[1] == 'M') le = 0;
    else return 1;
    if (rd16(tiff + 2, le) != 42) return 1;
    uint32_t ifd = rd32(tiff + 4, le);
    if (ifd > len || len - ifd < 2) return 1;
    unsigned count = rd16(tiff + ifd, le);
    size_t pos = (size_t)ifd + 2;
    for (unsigned i = 0; i < count; i++, pos += 12) {
        if (pos > len || len - pos < 12) return 1;
        const uint8_t *e = tiff + pos;
        if (rd16(e, le) != 0x0112) continue;
        unsigned type = rd16(e + 2, le);
        uint32_t n = rd32(e + 4, le);
        if (n < 1) return 1;
        unsigned v;
        if (type == 3) v = rd16(e + 8, le);          /* SHORT, the standard type */
        else if (type == 4) v = rd32(e + 8, le);     /* LONG, seen in some writers */
        else if (type == 1) v = e[8];                /* BYTE */
        else return 1;
        return v >= 1 && v <= 8 ? (int)v : 1;
    }
    return 1;
}
