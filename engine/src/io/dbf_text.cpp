#include "io/dbf_text.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "io/incidents.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ascii(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool shapefile_path(const std::string& path) {
  const std::string ext = lower(std::filesystem::path(path).extension().string());
  return ext == ".shp" || ext == ".dbf";
}

// Byte 29 of the .dbf beside `path` (the language driver id), or -1.
int ldid_byte(const std::string& path) {
  std::filesystem::path p(path);
  for (const char* ext : {".dbf", ".DBF"}) {
    std::ifstream f(p.replace_extension(ext), std::ios::binary);
    char header[32];
    if (f && f.read(header, sizeof header)) return static_cast<unsigned char>(header[29]);
  }
  return -1;
}

std::string hex_byte(int b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b & 0xFF);
  return buf;
}

std::string shown(const std::string& encoding) {
  return is_utf8_name(encoding) ? "UTF-8" : encoding;
}

// Whether every text value (and field name) of the layer is valid UTF-8, and whether any is not
// ASCII; the first value that reads as Vietnamese in Windows-1258 goes to *vietnamese.
struct TextScan {
  bool all_utf8 = true, any_non_ascii = false;
  std::string vietnamese;  // a raw value that guess_vietnamese_encoding reads as cp1258
};

TextScan scan_text(OGRLayer& layer, std::int64_t max_features) {
  TextScan s;
  auto see = [&](const std::string& v) {
    if (ascii(v)) return;
    s.any_non_ascii = true;
    if (!valid_utf8(v)) {
      s.all_utf8 = false;
      if (s.vietnamese.empty() && !guess_vietnamese_encoding(v).empty()) s.vietnamese = v;
    }
  };
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  for (int k = 0; k < defn->GetFieldCount(); ++k) see(defn->GetFieldDefn(k)->GetNameRef());
  layer.ResetReading();
  std::int64_t n = 0;
  while (n++ < max_features) {
    FeaturePtr f(layer.GetNextFeature());
    if (!f) break;
    for (int k = 0; k < defn->GetFieldCount(); ++k)
      if (defn->GetFieldDefn(k)->GetType() == OFTString && f->IsFieldSetAndNotNull(k))
        see(f->GetFieldAsString(k));
  }
  layer.ResetReading();
  return s;
}

std::string decoded_sample(const std::string& raw) {
  Decoder d("CP1258", "encoding");
  std::string out;
  d.decode(raw, out);
  return nfc(out);
}

}  // namespace

std::string guess_vietnamese_encoding(const std::string& raw) {
  if (valid_utf8(raw)) return "";
  const std::string s = decoded_sample(raw);
  // Vietnamese letters in UTF-8: U+1EA0-U+1EF9 (E1 BA xx, E1 BB xx), ă Ă đ Đ ơ Ơ ư Ư.
  for (const char* v : {"\xE1\xBA", "\xE1\xBB", "\xC4\x82", "\xC4\x83", "\xC4\x90", "\xC4\x91",
                        "\xC6\xA0", "\xC6\xA1", "\xC6\xAF", "\xC6\xB0"})
    if (s.find(v) != std::string::npos) return "cp1258";
  return "";
}

std::string PolygonSource::text(const char* raw_c) {
  const std::string raw(raw_c ? raw_c : "");
  std::string out;
  bool ok = true;
  if (decoder) {
    ok = decoder->decode(raw, out);
    if (!ok) out = sanitize_utf8(raw, raw.size() * 3 + 3);
  } else {
    out = sanitize_utf8(raw, raw.size() * 3 + 3);
    ok = out == raw;
  }
  if (!ok && invalid++ == 0) first_invalid = raw;
  return nfc(out);
}

int PolygonSource::field_index(const std::string& name) const {
  if (name.empty()) return -1;
  for (std::size_t k = 0; k < fields.size(); ++k)
    if (fields[k] == name) return static_cast<int>(k);
  const std::string want = lower(name);
  for (std::size_t k = 0; k < fields.size(); ++k)
    if (lower(fields[k]) == want) return static_cast<int>(k);
  return -1;
}

std::string PolygonSource::field_list() const {
  return fields.empty() ? "none" : name_list(fields);
}

std::string PolygonSource::invalid_text_warning(const std::string& what, const std::string& path,
                                                const std::string& key,
                                                const std::string& values) const {
  if (invalid == 0) return "";
  std::string m = what + " '" + path + "': " + std::to_string(invalid) +
                  " " + values + " were not valid " + shown(encoding) +
                  "; invalid bytes were replaced by U+FFFD. ";
  if (!guess_vietnamese_encoding(first_invalid).empty())
    return m + "They read as Vietnamese in Windows-1258 (e.g. '" + decoded_sample(first_invalid) +
           "'): set " + key + " to cp1258";
  return m + "Is the .dbf in TCVN3 or another code page? Give its encoding with " + key +
         ", or a .cpg file, or convert it to UTF-8";
}

PolygonSource open_polygon_source(const PolygonOptions& opt, const std::string& what,
                                  const std::string& key_name) {
  PolygonSource src;
  if (!shapefile_path(opt.path)) {
    src.ds = open_vector(opt.path, what);
    src.layer = pick_layer(*src.ds, opt.layer, what);
    src.encoding = "utf-8";
    if (!opt.encoding.empty() && !is_utf8_name(opt.encoding))
      src.warnings.push_back(what + " '" + opt.path + "': " + key_name +
                             " applies to Shapefiles (.dbf); this " + src.ds->GetDriverName() +
                             " source is read as the driver decodes it (UTF-8)");
  } else {
    // What GDAL would decode the text from: the .cpg, else the language byte.
    std::string from_cpg, from_ldid;
    {
      DatasetPtr probe = open_vector(opt.path, what);
      OGRLayer* l = pick_layer(*probe, opt.layer, what);
      const char* c = l->GetMetadataItem("ENCODING_FROM_CPG", "SHAPEFILE");
      const char* d = l->GetMetadataItem("ENCODING_FROM_LDID", "SHAPEFILE");
      from_cpg = c ? c : "", from_ldid = d ? d : "";
    }
    src.ds = open_vector(opt.path, what, {"ENCODING="});  // the bytes as they are in the file
    src.layer = pick_layer(*src.ds, opt.layer, what);
    std::string enc;
    if (!opt.encoding.empty()) {
      enc = opt.encoding, src.encoding_from = "encoding";
    } else if (!from_cpg.empty()) {
      enc = from_cpg, src.encoding_from = ".cpg";
    } else if (!from_ldid.empty()) {
      const std::string byte = hex_byte(ldid_byte(opt.path));
      const TextScan s = scan_text(*src.layer, 100000);
      if (s.all_utf8 && s.any_non_ascii) {
        // "XÃ£ An Äá»ng": UTF-8 text under a byte that says a Western code page.
        enc = "utf-8", src.encoding_from = "its text";
        src.warnings.push_back(what + " '" + opt.path + "': the .dbf's language byte (" + byte +
                               ") says " + from_ldid + ", but its text is UTF-8; read as UTF-8 (" +
                               key_name + " overrides)");
      } else {
        enc = from_ldid, src.encoding_from = "language byte " + byte;
        if (!s.vietnamese.empty()) src.suggested = "cp1258";
        if (!s.vietnamese.empty())
          src.warnings.push_back(what + " '" + opt.path + "': text read as " + from_ldid +
                                 ", as the .dbf's language byte (" + byte +
                                 ") says, but it reads as Vietnamese in Windows-1258 (e.g. '" +
                                 decoded_sample(s.vietnamese) + "'): set " + key_name +
                                 " to cp1258");
      }
    }
    if (!enc.empty() && !is_utf8_name(enc)) src.decoder = std::make_unique<Decoder>(enc, key_name);
    src.encoding = enc.empty() ? "utf-8" : enc;
  }
  OGRFeatureDefn* defn = src.layer->GetLayerDefn();
  for (int k = 0; k < defn->GetFieldCount(); ++k)
    src.fields.push_back(src.text(defn->GetFieldDefn(k)->GetNameRef()));
  src.invalid = 0, src.first_invalid.clear();  // names are not counted as values
  return src;
}

}  // namespace hotspot
