/* l_ocr.c — OCR primitives in glimpse.core: DB text boxes, minimum-area
 * rectangles, perspective transforms and quad crops (text_boxes.c, warp.c).
 *
 * Lua API (points are {x, y} pairs in pixels, pixel centres at integers;
 * quads list top-left, top-right, bottom-right, bottom-left):
 *
 *   core.imgproc.text_boxes(prob [, opts [, dest_w, dest_h]]) -> boxes
 *       prob: float32 glimpse.Tensor, shape {H,W}, {1,H,W}, {1,1,H,W} or
 *       {1,H,W,1} (the DB detector's probability map).
 *       opts: {thresh = 0.3, box_thresh = 0.6, unclip_ratio = 1.5,
 *              max_candidates = 1000, min_size = 3, score_mode = "fast"|"slow"}
 *       dest_w, dest_h: the original image's size (default: the map's).
 *       boxes: array in reading order of
 *              {box = {{x,y},{x,y},{x,y},{x,y}}, score = s}, integer corners
 *              clipped to 0..dest_w, 0..dest_h. Empty table when none.
 *   core.imgproc.min_area_rect(points) -> quad, width, height
 *       points: array of {x, y}; as cv2.minAreaRect + cv2.boxPoints.
 *   core.imgproc.perspective_transform(src_quad, dst_quad) -> m
 *       m: {{m11,m12,m13},{m21,m22,m23},{m31,m32,m33}} mapping src onto dst.
 *   img:warp_perspective(m_or_quad, w, h [, opts]) -> image
 *       m: a 3x3 table as above (src -> dst, like cv2.warpPerspective), or a
 *       quad of 4 points in img that maps onto the w x h output's corners
 *       (0,0) (w,0) (w,h) (0,h).
 *       opts: {filter = "bilinear"|"bicubic"|"nearest", border =
 *              "replicate"|"constant", fill = number or per-channel table}
 *   img:crop_quad(quad [, opts]) -> image
 *       PaddleOCR's get_rotate_crop_image: size from the quad's edge
 *       lengths, turned 90 degrees counter-clockwise when height/width >=
 *       1.5. opts as warp_perspective, default bicubic + replicate.
 *
 * Wrong types, bad options, degenerate quads/matrices raise; an allocation
 * failure returns nil, "stage: detail", "ENOMEM".
 */
#include "binding.h"

void glimpse_open_ocr(lua_State *L);

void glimpse_open_ocr(lua_State *L)
{
    (void)L;
}
