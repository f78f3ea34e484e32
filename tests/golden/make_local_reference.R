# Reference values for the local statistics (issue 5), from R spdep on real public data (spData).
# Made with:  cd tests/golden && Rscript make_local_reference.R
# (Debian 12: r-cran-spdep 1.2-7, r-cran-spdata 2.2.1.) Writes tests/golden/local/:
#   columbus.geojson (49 polygons, planar), ny8.gpkg (281 census tracts, UTM 18N metres),
#   baltim.csv (211 house sales, planar), boston.csv (506 tract points, UTM km) - the inputs;
#   reference.csv (per case and unit: neighbours, Gi*, Local Moran, BH-adjusted p),
#   global.csv (Global Moran's I per case), perm.csv (localmoran_perm folded pseudo p, nsim 9999).
suppressMessages({library(spdep); library(sf)})
options(digits = 17)
out <- "local"
dir.create(out, showWarnings = FALSE)

columbus <- st_read(system.file("shapes/columbus.shp", package = "spData"), quiet = TRUE)
st_crs(columbus) <- NA
ny8 <- st_read(system.file("shapes/NY8_utm18.shp", package = "spData"), quiet = TRUE)
st_crs(ny8) <- 32618
baltim <- st_read(system.file("shapes/baltim.shp", package = "spData"), quiet = TRUE)
data(boston, package = "spData")

unlink(file.path(out, c("columbus.geojson", "ny8.gpkg")))
st_write(columbus[, c("POLYID", "CRIME")], file.path(out, "columbus.geojson"), quiet = TRUE,
         layer_options = "COORDINATE_PRECISION=15")
st_write(ny8[, c("AREANAME", "Z")], file.path(out, "ny8.gpkg"), quiet = TRUE)
bx <- data.frame(id = baltim$STATION, x = baltim$X, y = baltim$Y, price = baltim$PRICE)
write.csv(bx, file.path(out, "baltim.csv"), row.names = FALSE)
bo <- data.frame(id = seq_len(nrow(boston.utm)), x = boston.utm[, 1], y = boston.utm[, 2], cmedv = boston.c$CMEDV,
                 lon = boston.c$LON, lat = boston.c$LAT)
write.csv(bo, file.path(out, "boston.csv"), row.names = FALSE)

bcoords <- cbind(bx$x, bx$y)
ocoords <- cbind(bo$x, bo$y)
idw <- function(nb, coords) lapply(nbdists(nb, coords), function(d) 1 / d)

cases <- list(
  list(name = "columbus_queen", nb = poly2nb(columbus, queen = TRUE), x = columbus$CRIME),
  list(name = "columbus_rook", nb = poly2nb(columbus, queen = FALSE), x = columbus$CRIME),
  list(name = "ny8_queen", nb = poly2nb(ny8, queen = TRUE), x = ny8$Z),
  list(name = "ny8_rook", nb = poly2nb(ny8, queen = FALSE), x = ny8$Z),
  list(name = "baltim_knn4", nb = knn2nb(knearneigh(bcoords, k = 4)), x = bx$price),
  list(name = "baltim_band15", nb = dnearneigh(bcoords, 0, 15), x = bx$price),
  list(name = "baltim_band4_islands", nb = dnearneigh(bcoords, 0, 4), x = bx$price),
  list(name = "boston_knn6", nb = knn2nb(knearneigh(ocoords, k = 6)), x = bo$cmedv),
  list(name = "boston_band3", nb = dnearneigh(ocoords, 0, 3), x = bo$cmedv),
  list(name = "boston_knn6_idw", nb = knn2nb(knearneigh(ocoords, k = 6)), x = bo$cmedv, idw = TRUE)
)

rows <- list()
glob <- list()
for (cs in cases) {
  nb <- cs$nb
  isl <- card(nb) == 0
  idw_case <- !is.null(cs$idw)
  lw_w <- if (idw_case) nb2listw(nb, glist = idw(nb, ocoords), style = "W") else
    nb2listw(nb, style = "W", zero.policy = TRUE)
  gi <- if (idw_case) rep(NA_real_, length(nb)) else
    as.numeric(localG(cs$x, nb2listw(include.self(nb), style = "B"), zero.policy = TRUE))
  lm <- localmoran(cs$x, lw_w, zero.policy = TRUE)
  p <- lm[, 5]
  p[isl] <- NA
  bh <- p.adjust(p, method = "BH")
  nbs <- sapply(seq_along(nb), function(i) if (isl[i]) "" else paste(nb[[i]] - 1L, collapse = " "))
  rows[[cs$name]] <- data.frame(case = cs$name, unit = seq_along(nb) - 1L, island = as.integer(isl),
                                neighbours = nbs, gi_z = gi, Ii = lm[, 1], EIi = lm[, 2], VarIi = lm[, 3],
                                ZIi = lm[, 4], p = p, p_bh = bh)
  {
    # Islands count in n (adjust.n = FALSE), as in hotspot.
    mt <- moran.test(cs$x, lw_w, randomisation = TRUE, zero.policy = TRUE, adjust.n = FALSE)
    glob[[cs$name]] <- data.frame(case = cs$name, I = mt$estimate[1], E = mt$estimate[2], V = mt$estimate[3],
                                  z = mt$statistic)
  }
}
write.csv(do.call(rbind, rows), file.path(out, "reference.csv"), row.names = FALSE, na = "")
write.csv(do.call(rbind, glob), file.path(out, "global.csv"), row.names = FALSE)

# Pseudo p-values: spdep samples with replacement, we without; at n = 506 and k = 6 the two
# conditional distributions are practically the same, so the test allows Monte Carlo error only.
set.seed(20261123)
nb <- knn2nb(knearneigh(ocoords, k = 6))
lp <- localmoran_perm(bo$cmedv, nb2listw(nb, style = "W"), nsim = 9999, iseed = 20261123)
write.csv(data.frame(unit = seq_len(nrow(bo)) - 1L, p_folded = lp[, "Pr(folded) Sim"]),
          file.path(out, "perm.csv"), row.names = FALSE)
