#pragma once
// Text of a Shapefile layer (communes, zones, incidents) in the encoding its file was written in.
//
// A Shapefile's .dbf carries no reliable encoding: a .cpg file, when there is one; else a
// language-driver byte (LDID, byte 29 of the header) that GDAL 3.6 maps to a few code pages
// (0x57 -> ISO-8859-1, 0x03 and 0x58 -> CP1252, 0xC8 -> CP1250, ...; none for Vietnamese: the
// dBASE table has no Windows-1258 entry); else nothing, and GDAL passes the bytes through. We read
// the bytes undecoded (GDAL's ENCODING= open option, empty) and decode them ourselves, because
// GDAL's own CP1258 recoding drops the last character of every value ("Xã An Đồng" comes back as
// "Xã An Đồn": glibc's CP1258 converter holds back the last letter for a tone mark that may follow,
// and GDAL does not flush it).
#include <memory>
#include <string>
#include <vector>

#include "hotspot/ingest.hpp"
#include "io/encoding.hpp"
#include "io/gdal_util.hpp"

namespace hotspot {

struct PolygonSource {
  DatasetPtr ds;
  OGRLayer* layer = nullptr;
  std::vector<std::string> fields;  // field names, decoded
  std::string encoding;             // what the text is read as: "utf-8", "cp1258", "CP1252", ...
  std::string encoding_from;        // "encoding" (the key), ".cpg", "language byte 0x57", ""
  std::unique_ptr<Decoder> decoder;  // null: the text is taken as UTF-8
  std::vector<std::string> warnings;
  // Text values (ids and names) that were not valid in `encoding`; their bad bytes became U+FFFD.
  std::int64_t invalid = 0;
  std::string first_invalid;  // raw bytes of the first one (for the hint)
  // "cp1258" when the text was read as the language byte says but reads as Vietnamese in it.
  std::string suggested;

  // A value as UTF-8 in NFC.
  std::string text(const char* raw);
  // The index of field `name` (exact, then ASCII case-insensitive), or -1.
  int field_index(const std::string& name) const;
  std::string field_list() const;
  // The warning for invalid text, naming `key` (--communes-encoding, inputs.communes.encoding)
  // and what the values were (ids or names); empty when every value was valid.
  std::string invalid_text_warning(const std::string& what, const std::string& path,
                                   const std::string& key,
                                   const std::string& values = "ids or names") const;
};

// Opens a polygon source for reading its text right (see above): opt.encoding when given, else the
// .cpg, else the language byte (unless the text is UTF-8 all the same), else UTF-8. `key_name`
// names the option in messages (--communes-encoding). Throws like open_vector and pick_layer, and
// UsageError naming `key_name` for an encoding iconv does not know.
PolygonSource open_polygon_source(const PolygonOptions& opt, const std::string& what,
                                  const std::string& key_name);

// "cp1258" when `raw` is not valid UTF-8 but reads as Vietnamese in Windows-1258, else "".
std::string guess_vietnamese_encoding(const std::string& raw);

}  // namespace hotspot
