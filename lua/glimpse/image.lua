--- glimpse.image — decoding, encoding and processing of 8-bit images.
-- The C core does the work; this module adds Lua-side conveniences.
-- Pixel coordinates are 0-based (x, y).
--
--     local image = require "glimpse.image"
--     local img = assert(image.load("photo.jpg", { max_side = 1024 }))
--     print(img)                                  --> glimpse.Image 1024x768 RGB8
--     local png = assert(img:encode("png"))
--     assert(img:save("thumb.jpg", { quality = 85 }))
--
-- Codecs: PNG, JPEG and BMP (docs/formats.md). Functions that can fail on
-- the data return `nil, message, code`; wrong arguments raise.
-- @module glimpse.image
local core = require "glimpse.core"

local M = {}
for k, v in pairs(core.image) do M[k] = v end

--- Codecs that `decode` reads and `encode` writes.
M.formats = { "png", "jpeg", "bmp" }

--- Decode an in-memory PNG, JPEG or BMP.
-- @function decode
-- @tparam string bytes the file's contents (borrowed for the call only)
-- @tparam[opt] table opts `max_side` (longer side at most N; JPEG decodes at
--   a reduced DCT scale first), `max_pixels` (refuse larger images from the
--   header, default 100000000), `orient` (apply EXIF orientation, default
--   true), `channels` (0 keeps the file's layout: gray 1, colour 3, alpha 4;
--   or force 1, 3 or 4)
-- @treturn glimpse.Image the image
-- @return nil, "decode: ..." message, code ("EFORMAT", "ELIMIT", "EUNSUPPORTED", "ENOMEM")
-- @raise bad argument types, unknown or out-of-range options
-- @usage local img, err = image.decode(body, { max_side = 512 })

--- Read and decode a file (as `decode`).
-- @function load
-- @tparam string path
-- @tparam[opt] table opts as for `decode`
-- @treturn glimpse.Image the image
-- @return nil, message, code ("EIO" when the file cannot be read)
-- @usage local img = assert(image.load("cat.jpg"))

--- The format of `bytes` from its signature.
-- @function sniff
-- @tparam string bytes
-- @treturn ?string "png", "jpeg", "bmp" or nil

--- Format and dimensions from the header, without decoding the pixels.
-- @function probe
-- @tparam string bytes
-- @treturn table `{format = "jpeg", width = w, height = h}`
-- @return nil, message, code

--- Encode an image (a method of glimpse.Image).
-- @function Image:encode
-- @tparam string format "png", "jpeg" (or "jpg") or "bmp"
-- @tparam[opt] table opts `quality` (JPEG 1..100, default 90), `progressive`
--   (JPEG, default false), `compression` (PNG zlib level 0..9, default 6)
-- @treturn string the file's bytes
-- @return nil, message, code
-- @raise unknown format, bad options, a closed image
-- @usage local jpg = img:encode("jpeg", { quality = 80 })

--- Encode and write a file; the format comes from the extension (.png,
-- .jpg/.jpeg, .bmp) unless `opts.format` names it.
-- @function Image:save
-- @tparam string path
-- @tparam[opt] table opts as for `encode`, plus `format`
-- @treturn boolean true
-- @return nil, message, code ("EIO")
-- @raise an extension that names no format (and no `opts.format`)

return M
