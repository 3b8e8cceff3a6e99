"""Draws Rollcall's app icon (an indigo rounded square with a white tick) as PNGs and an ICO."""
import struct, zlib, math, sys, os

def png(w, h, rgba):
    raw = b"".join(b"\x00" + bytes(rgba[y*w*4:(y+1)*w*4]) for y in range(h))
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx-ax, by-ay
    t = max(0, min(1, ((px-ax)*dx + (py-ay)*dy) / (dx*dx + dy*dy)))
    return math.hypot(px-(ax+t*dx), py-(ay+t*dy))

def draw(size, ss=4):
    n = size*ss
    out = bytearray(size*size*4)
    r = 0.22*n; m = 0.04*n
    top = (0x63, 0x66, 0xf1); bot = (0x43, 0x38, 0xca)
    tick = [(0.30*n, 0.52*n), (0.44*n, 0.66*n), (0.71*n, 0.37*n)]
    thick = 0.075*n
    for y in range(size):
        for x in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(ss):
                for sx in range(ss):
                    px, py = x*ss+sx+0.5, y*ss+sy+0.5
                    # rounded square inside margin m
                    cx = min(max(px, m+r), n-m-r); cy = min(max(py, m+r), n-m-r)
                    if math.hypot(px-cx, py-cy) > r:
                        continue
                    t = py/n
                    col = [top[i]*(1-t)+bot[i]*t for i in range(3)]
                    d = min(seg_dist(px, py, *tick[0], *tick[1]), seg_dist(px, py, *tick[1], *tick[2]))
                    if d <= thick:
                        col = [255, 255, 255]
                    for i in range(3):
                        acc[i] += col[i]
                    acc[3] += 255
            k = ss*ss; a = acc[3]/k
            o = (y*size+x)*4
            if a > 0:
                cov = acc[3]/255
                out[o:o+4] = bytes([round(acc[0]/cov), round(acc[1]/cov), round(acc[2]/cov), round(a)])
    return png(size, size, out)

sizes = {"32x32.png": 32, "128x128.png": 128, "128x128@2x.png": 256, "icon.png": 512}
cache = {}
for name, s in sizes.items():
    cache[s] = draw(s, 4 if s <= 256 else 2)
    open(name, "wb").write(cache[s])
# ICO with embedded PNGs (32 and 256), which Windows accepts since Vista.
entries = [(32, cache[32]), (256, cache[256])]
hdr = struct.pack("<HHH", 0, 1, len(entries)); off = 6 + 16*len(entries); dirs = b""; data = b""
for s, p in entries:
    dirs += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(p), off + len(data)); data += p
open("icon.ico", "wb").write(hdr + dirs + data)
