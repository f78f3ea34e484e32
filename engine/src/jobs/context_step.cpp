// The context step: commune and zone boundaries for a run without aggregate.
#include <string>

#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "jobs/aggregate_steps.hpp"
#include "util/timer.hpp"

namespace hotspot {

StepResult context_step(const StepContext& ctx) {
  const LoadedInputs& in = ctx.in;
  StepResult r;
  r.name = "context";
  Timer timer;
  auto write = [&](const char* layer, const PolygonLayer& p, const char* id_field,
                   const std::string& description) {
    LayerWriter& L =
        ctx.w.begin_layer(layer, GeometryType::kMultiPolygon, in.work_crs,
                          {{id_field, FieldType::kText}, {"name", FieldType::kText}}, description);
    Box box;
    for (std::size_t i = 0; i < p.size(); ++i) {
      L.set_geometry(p.geom[i]);
      L.set(0, std::string_view(p.id[i]));
      L.set(1, std::string_view(p.name[i]));
      L.insert();
      box.expand(bounds(p.geom[i]));
    }
    r.layers.push_back({layer, static_cast<std::int64_t>(p.size())});
    r.counts[layer] = static_cast<std::int64_t>(p.size());
    return box;
  };
  const std::string why = " (boundaries only: the run has no aggregate analysis)";
  // Outlines, as aggregate's project draws them; the same style opens the layer on its own.
  const std::string communes_qml = outline_qml({60, 60, 60}, 0.4, "name", /*label_all=*/true);
  const Box communes_box = write("communes", in.communes, "commune_id", "Communes" + why);
  ctx.w.add_style("communes", "commune outlines", communes_qml);
  r.project.push_back({"communes_outline", "Communes", ctx.vector_source("communes"), false,
                       communes_qml, communes_box, "Context", true});
  if (in.zones.size() > 0) {
    const std::string zones_qml = categorized_qml("name", in.zones.name, false, "name", true);
    const Box zones_box = write("zones", in.zones, "zone_id", "Industrial zones" + why);
    ctx.w.add_style("zones", "industrial zones", zones_qml);
    r.project.push_back({"zones", "Industrial zones", ctx.vector_source("zones"), false, zones_qml,
                         zones_box, "Context", true});
  }
  r.timings.push_back({"write", timer.lap()});
  r.parameters = {
      {"communes_fields", {{"id", in.communes.id_field}, {"name", in.communes.name_field}}}};
  return r;
}

}  // namespace hotspot
