[assembly: Microsoft.VisualStudio.TestTools.UnitTesting.DoNotParallelize]
