# Reference bandwidths for hotspot kde, from spatstat on its real datasets.
# Made with: cd tests/golden && Rscript make_kde_reference.R      (R 4.2, spatstat 3.0-3)
# Writes kde_<name>_points.csv (the point pattern: x,y) and kde_<name>_reference.json (window,
# bw.scott isotropic and per axis, bw.ppl(edge = FALSE) grid, LCV scores, its two terms, optimum).
suppressMessages(library(spatstat))

num <- function(v) ifelse(is.finite(v), formatC(v, digits = 17, format = "g"), "null")
vec <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")

export <- function(X, name) {
  W <- Frame(X)
  write.csv(data.frame(x = X$x, y = X$y), sprintf("kde_%s_points.csv", name), row.names = FALSE)
  sc <- bw.scott(X, isotropic = TRUE)
  sc2 <- bw.scott(X)
  b <- bw.ppl(X, edge = FALSE)
  cv <- attr(b, "cv")
  sig <- attr(b, "h")
  # The two terms of LCV separately: the leave-one-out log-likelihood (exact sums at the points)
  # and spatstat's pixel-image integral of the surface (an FFT approximation).
  loglik <- sapply(sig, function(s) sum(log(density(X, sigma = s, at = "points", leaveoneout = TRUE, edge = FALSE))))
  integral <- sapply(sig, function(s) integral.im(density(X, sigma = s, edge = FALSE)))
  json <- paste0("{\n",
    sprintf('  "dataset": "spatstat.data::%s",\n', name),
    sprintf('  "n": %d,\n', npoints(X)),
    sprintf('  "window": %s,\n', vec(c(W$xrange[1], W$yrange[1], W$xrange[2], W$yrange[2]))),
    sprintf('  "bw_scott_isotropic": %s,\n', num(as.numeric(sc))),
    sprintf('  "bw_scott_xy": %s,\n', vec(as.numeric(sc2))),
    sprintf('  "bw_ppl": %s,\n', num(as.numeric(b))),
    sprintf('  "bw_ppl_sigmas": %s,\n', vec(sig)),
    sprintf('  "bw_ppl_cv": %s,\n', vec(cv)),
    sprintf('  "loo_loglik": %s,\n', vec(loglik)),
    sprintf('  "integral_im": %s,\n', vec(integral)),
    sprintf('  "spatstat": "%s"\n', packageVersion("spatstat")),
    "}\n")
  writeLines(json, sprintf("kde_%s_reference.json", name), sep = "")
}

export(bei, "bei")            # 3,604 trees, 1000 x 500 m (Barro Colorado Island)
export(redwood, "redwood")    # 62 seedlings, unit square
