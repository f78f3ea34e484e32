// Field roles by name, as people name them: English and Vietnamese, with or without diacritics.
#include "io/field_roles.hpp"

#include <cctype>

namespace hotspot {

namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as themselves.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (len == 1 || i + static_cast<std::size_t>(len) > s.size()) return s[i++] & 0xFF;
  char32_t cp = c & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < static_cast<std::size_t>(len); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<std::size_t>(len);
  return cp;
}

// The base letter of a Vietnamese letter with marks (lower or upper case), or 0.
char vietnamese_base(char32_t cp) {
  // Each string lists the letters (UTF-8) that fold to the base before it.
  static const struct {
    char base;
    const char* letters;
  } kTable[] = {
      {'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
      {'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"},
      {'i', "ìíỉĩịÌÍỈĨỊ"},
      {'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
      {'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"},
      {'y', "ỳýỷỹỵỲÝỶỸỴ"},
      {'d', "đĐ"},
  };
  for (const auto& row : kTable) {
    const std::string letters = row.letters;
    for (std::size_t i = 0; i < letters.size();)
      if (next_code_point(letters, i) == cp) return row.base;
  }
  return 0;
}

struct Names {
  std::vector<const char*> exact;
  std::vector<const char*> prefix;
};

Names names_of(FieldRole role) {
  switch (role) {
    case FieldRole::kX:
      return {{"lon", "longitude", "lng", "long", "x", "kinh_do", "kinhdo", "toa_do_x", "x_coord",
               "easting"},
              {"kinh_do", "longitude", "toa_do_x"}};
    case FieldRole::kY:
      return {{"lat", "latitude", "y", "vi_do", "vido", "toa_do_y", "y_coord", "northing"},
              {"vi_do", "latitude", "toa_do_y"}};
    case FieldRole::kDateTime:
      return {{"time", "timestamp", "datetime", "date_time", "occurred_at", "thoi_gian",
               "thoigian", "ngay_gio", "thoi_diem"},
              {"thoi_gian", "thoi_diem", "ngay_gio", "timestamp", "datetime"}};
    case FieldRole::kDate:
      return {{"date", "ngay", "ngay_xay_ra", "ngay_vu_viec", "day"}, {"ngay", "date"}};
    case FieldRole::kTimeOfDay:
      return {{"gio", "gio_xay_ra", "hour", "time_of_day", "clock"}, {"gio"}};
    case FieldRole::kCategory:
      return {{"category", "type", "loai", "loai_vu_viec", "loai_vu", "phan_loai", "offence",
               "offense", "crime_type", "toi_danh"},
              {"loai", "category", "phan_loai"}};
    case FieldRole::kIncidentId:
      return {{"id", "incident_id", "case_id", "ma_vu", "ma_vu_viec", "so_vu", "so_hieu", "ma",
               "stt"},
              {"ma_vu", "so_hieu", "case_"}};
    case FieldRole::kCommuneId:
      return {{"commune_id", "ma_xa", "maxa", "ma_phuong", "ma", "code", "id"}, {"ma_xa"}};
    case FieldRole::kCommuneName:
      return {{"ten_xa", "tenxa", "ten_phuong", "ten", "name", "name_vi", "commune", "xa"},
              {"ten_xa", "ten"}};
    case FieldRole::kPopulation:
      return {{"population", "dan_so", "danso", "pop", "so_dan", "nhan_khau"},
              {"dan_so", "population", "pop_"}};
    case FieldRole::kZoneId:
      return {{"zone_id", "ma_kcn", "ma_ccn", "ma", "code", "id"}, {"ma_kcn"}};
    case FieldRole::kZoneName:
      return {{"ten_kcn", "ten_ccn", "ten", "name", "zone", "zone_name"}, {"ten_kcn", "ten"}};
  }
  return {{}, {}};
}

}  // namespace

std::string fold_field_name(const std::string& name) {
  std::string out;
  bool gap = false;
  for (std::size_t i = 0; i < name.size();) {
    const char32_t cp = next_code_point(name, i);
    if (cp >= 0x300 && cp <= 0x36F) continue;  // a combining mark (decomposed text)
    char c = 0;
    if (cp < 0x80 && std::isalnum(static_cast<int>(cp)))
      c = static_cast<char>(std::tolower(static_cast<int>(cp)));
    else if (cp >= 0x80)
      c = vietnamese_base(cp);
    if (!c) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += '_';
    gap = false;
    out += c;
  }
  return out;
}

int find_field_by_role(const std::vector<std::string>& fields, FieldRole role) {
  const Names n = names_of(role);
  std::vector<std::string> folded;
  for (const auto& f : fields) folded.push_back(fold_field_name(f));
  for (const char* want : n.exact)
    for (std::size_t i = 0; i < folded.size(); ++i)
      if (folded[i] == want) return static_cast<int>(i);
  for (const char* want : n.prefix)
    for (std::size_t i = 0; i < folded.size(); ++i)
      if (folded[i].rfind(want, 0) == 0) return static_cast<int>(i);
  return -1;
}

}  // namespace hotspot
